"""The tuning methods live in methods.py alone, and read their settings from the validated config, whose
defaults are the run-config schema's."""

from __future__ import annotations

import ast
import copy
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from tunesmith_trainer import config as config_mod
from tunesmith_trainer import methods
from tunesmith_trainer.errors import TrainerError
from tunesmith_trainer.schema import load_schema

PACKAGE = Path(methods.__file__).parent
METHOD_SCHEMA = load_schema("run-config")["properties"]["method"]
METHOD_NAMES = set(METHOD_SCHEMA["properties"]["type"]["enum"])


def _names_with_defaults(schema: dict[str, Any]) -> set[str]:
    found = set()
    for key, sub in schema.get("properties", {}).items():
        found |= {key} if "default" in sub else set()
        found |= _names_with_defaults(sub)
    return found


SETTING_NAMES = _names_with_defaults(load_schema("run-config"))


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
    """``.get("r", 16)``: a run-config setting the schema gives a default for, read with a fallback of its own."""
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
    assert restated_defaults('version = data.get("version", 1)') == [(1, "version")]
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


# -- what each method saves, and what evaluation accepts from it ---------------------------------------------
def _write_layout(folder: Path, layout: str) -> Path:
    """A folder of the shape each kind of method writes: a PEFT adapter, partial weights, or a whole model."""
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True)
    tensors = {"model.layers.0.mlp.down_proj.weight": torch.zeros(2, 2)}
    if layout == "adapter":
        (folder / methods.ADAPTER_CONFIG).write_text("{}")
        save_file(tensors, str(folder / methods.ADAPTER_WEIGHTS))
    elif layout == "partial":
        (folder / methods.PARTIAL_MANIFEST).write_text("{}")
        save_file(tensors, str(folder / methods.PARTIAL_WEIGHTS))
    else:
        (folder / "config.json").write_text("{}")
        save_file(tensors, str(folder / "model.safetensors"))
    return folder


# What evaluation accepts from each method: its result and its Trainer checkpoints (a partial run's are whole models).
ACCEPTS = {"lora": {"adapter"}, "qlora": {"adapter"}, "prompt_tuning": {"adapter"}, "full": {"model"},
           "partial": {"partial", "model"}}


@pytest.mark.parametrize("name", sorted(METHOD_NAMES))
@pytest.mark.parametrize("layout", ["adapter", "partial", "model"])
def test_each_method_accepts_what_it_saves_and_names_what_is_missing_otherwise(tmp_path, name, layout):
    folder = _write_layout(tmp_path / layout, layout)
    method = methods.method_named(name)
    if layout in ACCEPTS[name]:
        assert method.check_saved(folder) == ["model.layers.0.mlp.down_proj.weight"]
    else:
        with pytest.raises(TrainerError) as raised:
            method.check_saved(folder)
        assert raised.value.kind == "config" and str(folder) in raised.value.message
        assert f"a {name} run" in raised.value.message


def test_a_partial_result_for_another_base_model_is_refused_before_generation(tmp_path, tiny):
    from transformers import AutoModelForCausalLM

    folder = _write_layout(tmp_path / "partial", "partial")
    base = AutoModelForCausalLM.from_pretrained(str(tiny["model"]), local_files_only=True)
    names = methods.Partial().check_saved(folder)
    # Weights named for a layer this base lacks (a deeper model's): refused; those it has: accepted.
    with pytest.raises(TrainerError, match="do not fit this base model"):
        methods.Partial().check_fits(base, folder, [*names, "model.layers.9.mlp.down_proj.weight"])
    methods.Partial().check_fits(base, folder, names)


# -- QLoRA's environment, checked before anything is read or launched ---------------------------------------
def test_qlora_on_the_cpu_fails_before_the_data_is_read(tiny, tmp_path):
    from conftest import read_events, train, write_config

    run_dir = tmp_path / "qlora"
    missing = tmp_path / "no-such-train.jsonl"
    config = write_config(tiny, run_dir, method={"type": "qlora"}, data={"train": str(missing)},
                          hardware={"device": "cpu"})
    assert train(config) == 1
    errors = [e for e in read_events(run_dir) if e["type"] == "error"]
    assert len(errors) == 1 and errors[0]["kind"] == "environment" and "CUDA GPU" in errors[0]["message"]
    assert "lora" in errors[0]["hint"]


@pytest.mark.skipif(importlib.util.find_spec("bitsandbytes") is not None, reason="bitsandbytes is installed here")
def test_qlora_without_bitsandbytes_says_how_to_install_it():
    with pytest.raises(TrainerError) as raised:
        methods.QLoRA().check_environment("cuda")
    assert raised.value.kind == "environment" and "bitsandbytes" in raised.value.message
    assert "pip install" in raised.value.hint


def test_the_other_methods_run_on_the_cpu():
    for name in METHOD_NAMES - {"qlora"}:
        methods.method_named(name).check_environment("cpu")


def test_config_messages_name_the_methods_that_allow_a_setting(tmp_path):
    raw = {"model": {"path": str(tmp_path)}, "data": {"train": "t.jsonl", "packing": True},
           "method": {"type": "prompt_tuning"}, "output": {"dir": "run", "merge": True}}
    with pytest.raises(TrainerError) as raised:
        config_mod.parse_config(raw, tmp_path)
    problems = {p["path"]: p["message"] for p in raised.value.problems}
    assert problems["output/merge"].startswith("applies to lora and qlora only, not prompt_tuning")
    assert problems["data/packing"].startswith("packing does not work with prompt_tuning")
