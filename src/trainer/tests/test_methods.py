"""The tuning methods live in methods.py alone, and read their settings from the validated config, whose
defaults are the run-config schema's."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest

from tunesmith_trainer import config as config_mod
from tunesmith_trainer import methods
from tunesmith_trainer.schema import load_schema

PACKAGE = Path(methods.__file__).parent
METHOD_SCHEMA = load_schema("run-config")["properties"]["method"]
METHOD_NAMES = set(METHOD_SCHEMA["properties"]["type"]["enum"])
SETTING_NAMES = {key for section in METHOD_SCHEMA["properties"].values() for key in section.get("properties", {})}


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def branches_on_method_names(source: str) -> list[tuple[int, str]]:
    """Comparisons (==, !=, in, not in, match cases) against a method's name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            names = set().union(*(_strings(side) for side in [node.left, *node.comparators])) & METHOD_NAMES
        elif isinstance(node, ast.match_case):
            names = _strings(node.pattern) & METHOD_NAMES
        else:
            continue
        found.extend((node.lineno if hasattr(node, "lineno") else node.pattern.lineno, n) for n in sorted(names))
    return found


def restated_defaults(source: str) -> list[tuple[int, str]]:
    """``.get("r", 16)``: a method setting read with a fallback value of its own."""
    return [
        (node.lineno, node.args[0].value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
        and len(node.args) == 2 and isinstance(node.args[0], ast.Constant) and node.args[0].value in SETTING_NAMES
    ]


def test_the_scans_find_what_they_look_for():
    assert branches_on_method_names('if method in ("lora", "qlora"):\n    pass') == [(1, "lora"), (1, "qlora")]
    assert branches_on_method_names('x = config.method.type == "partial"') == [(1, "partial")]
    assert branches_on_method_names('match m:\n    case "full":\n        pass') == [(2, "full")]
    assert branches_on_method_names('paths["partial"] = 1') == []
    assert restated_defaults('r = lora.get("r", 16)') == [(1, "r")]
    assert restated_defaults('text = pt.get("init_text")') == []


@pytest.mark.parametrize("module", sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "methods.py"))
def test_no_module_outside_methods_branches_on_a_method_name(module):
    source = (PACKAGE / module).read_text("utf-8")
    assert branches_on_method_names(source) == [], f"{module}: ask methods.method_for(config) instead"
    assert restated_defaults(source) == [], f"{module}: the schema's defaults are already in the config"


def test_methods_restate_no_defaults():
    assert restated_defaults((PACKAGE / "methods.py").read_text("utf-8")) == []


def test_every_method_in_the_schema_has_a_class():
    assert set(methods.METHODS) == METHOD_NAMES


def _with_defaults(changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    schema = copy.deepcopy(load_schema("run-config"))
    for section, values in changes.items():
        for key, value in values.items():
            schema["properties"]["method"]["properties"][section]["properties"][key]["default"] = value
    return schema


CHANGED = {
    "lora": {"r": 3, "alpha": 7, "dropout": 0.25, "target_modules": ["q_proj"], "rslora": True, "dora": True},
    "qlora": {"quant_type": "fp4", "double_quant": False},
    "partial": {"layers": -1, "modules": ["lm_head"]},
    "prompt_tuning": {"num_virtual_tokens": 5},
}


@pytest.fixture
def changed_defaults(monkeypatch, tmp_path):
    """Configs parsed under a schema whose method defaults differ from the shipped ones."""
    monkeypatch.setattr(config_mod, "load_schema", lambda name: _with_defaults(CHANGED))

    def parse(method: str) -> config_mod.RunConfig:
        raw = {"model": {"path": str(tmp_path)}, "data": {"train": "train.jsonl"}, "method": {"type": method},
               "output": {"dir": "run"}}
        return config_mod.parse_config(raw, tmp_path)

    return parse


def test_lora_settings_come_from_the_schema(changed_defaults):
    for name in ("lora", "qlora"):
        peft = methods.method_named(name).peft_config(changed_defaults(name))
        assert (peft.r, peft.lora_alpha, peft.lora_dropout, peft.use_rslora, peft.use_dora) == (3, 7, 0.25, True, True)
        assert set(peft.target_modules) == {"q_proj"}


def test_qlora_quantisation_comes_from_the_schema(changed_defaults):
    settings = methods.QLoRA().quantization_settings(changed_defaults("qlora"))
    assert (settings["bnb_4bit_quant_type"], settings["bnb_4bit_use_double_quant"]) == ("fp4", False)


def test_prompt_tuning_settings_come_from_the_schema(changed_defaults):
    peft = methods.PromptTuning().peft_config(changed_defaults("prompt_tuning"))
    assert peft.num_virtual_tokens == 5


def test_partial_layers_come_from_the_schema(changed_defaults, tiny):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(tiny["model"]), local_files_only=True)
    names = methods.Partial().trainable_names(changed_defaults("partial"), model)
    prefix, _ = methods.decoder_layers(model)
    # layers -1: the first decoder layer; modules: lm_head.
    assert {n for n in names if n.startswith(prefix)} == {n for n, _ in model.named_parameters()
                                                         if n.startswith(f"{prefix}.0.")}
    assert {n for n in names if not n.startswith(prefix)} == {"lm_head.weight"}
