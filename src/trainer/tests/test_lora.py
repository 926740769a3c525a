"""LoRA on the tiny model: it learns the task, the adapter reloads, the merged export matches it, DoRA and
rsLoRA train, every event fits the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import read_events, report_rows, train, validate_report, write_config
from tunesmith_trainer.config import load_config
from tunesmith_trainer.estimate import estimate
from tunesmith_trainer.evaluate import evaluate, generate


@pytest.fixture(scope="module")
def lora_run(tiny, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("lora") / "run"
    config = write_config(tiny, run_dir, output={"merge": True})
    assert train(config) == 0
    return config, run_dir


def test_lora_halves_the_loss_and_learns_the_task(lora_run):
    config, run_dir = lora_run
    events = read_events(run_dir)
    types = [e["type"] for e in events]
    assert types[0] == "started" and types[-1] == "finished"
    assert {"progress", "log", "eval", "checkpoint"} <= set(types)
    losses = [e["loss"] for e in events if e["type"] == "log"]
    assert losses[-1] <= losses[0] / 2, losses
    finished = events[-1]
    assert finished["status"] == "completed"
    assert Path(finished["paths"]["adapter"], "adapter_config.json").is_file()
    assert json.loads((run_dir / "config.json").read_text())["method"]["lora"]["r"] == 16

    summary = evaluate(load_config(config))
    assert summary["exact_match"]["base"] <= 0.1
    assert summary["exact_match"]["tuned"] >= 0.9
    examples = validate_report(json.loads(Path(summary["report"]).read_text()))["examples"]
    assert [e["line"] for e in examples] == list(range(1, len(examples) + 1))
    # What the adapter learned shows token by token: the reference is far likelier under the tuned model.
    mean = {name: sum(sum(e["tokens"][name]) for e in examples) / len(examples) for name in ("base", "tuned")}
    assert mean["tuned"] > mean["base"] + 3, mean


def test_adapter_reloads_and_reproduces_the_tuned_generations(lora_run, tiny):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    config, run_dir = lora_run
    rows = report_rows(run_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny["model"])
    model = PeftModel.from_pretrained(base, str(run_dir / "adapter")).eval()
    tokenizer = AutoTokenizer.from_pretrained(run_dir / "adapter")
    again = generate(model, tokenizer, [r["prompt"] for r in rows], batch_size=5, max_new_tokens=8)
    assert again == [r["tuned"] for r in rows]


def test_the_merged_export_loads_without_peft_and_generates_like_base_plus_adapter(lora_run):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    config, run_dir = lora_run
    finished = read_events(run_dir)[-1]
    assert finished["paths"]["merged"] == str(run_dir / "merged")
    assert not (run_dir / "merged" / "adapter_config.json").exists()
    model = AutoModelForCausalLM.from_pretrained(run_dir / "merged").eval()
    assert not any("lora" in name for name, _ in model.named_parameters())
    tokenizer = AutoTokenizer.from_pretrained(run_dir / "merged")
    rows = report_rows(run_dir)
    merged = generate(model, tokenizer, [r["prompt"] for r in rows], batch_size=5, max_new_tokens=8)
    assert merged == [r["tuned"] for r in rows]
    assert sum(r["tuned"] != r["base"] for r in rows) >= len(rows) // 2  # the merge really changed the weights


def test_dora_and_rslora_are_saved_in_the_adapter_config_and_train(tiny, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    run_dir = tmp_path / "dora"
    lora = {"r": 8, "alpha": 16, "dora": True, "rslora": True}
    config = write_config(tiny, run_dir, method={"type": "lora", "lora": lora},
                          training={"max_steps": 40, "eval_steps": 1000, "save_steps": 40})
    assert train(config) == 0
    events = read_events(run_dir)
    losses = [e["loss"] for e in events if e["type"] == "log"]
    assert losses[-1] <= losses[0] * 0.6, losses
    saved = json.loads((run_dir / "adapter" / "adapter_config.json").read_text())
    assert saved["use_dora"] is True and saved["use_rslora"] is True
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny["model"]), str(run_dir / "adapter"))
    magnitudes = [n for n, _ in model.named_parameters() if "lora_magnitude_vector" in n]
    assert magnitudes  # DoRA's per-column magnitudes were saved and reloaded


def test_estimate_matches_parameter_arithmetic(lora_run):
    config, run_dir = lora_run
    started = read_events(run_dir)[0]
    result = estimate(load_config(config))
    assert result["bytes"]["trainable_parameters"] == started["parameters"]["trainable"]
    base_params = started["parameters"]["total"] - started["parameters"]["trainable"]
    # fp32 on CPU: the frozen weights plus the fp32 adapter.
    arithmetic = base_params * 4 + started["parameters"]["trainable"] * 4
    assert abs(result["bytes"]["weights"] - arithmetic) <= 0.25 * arithmetic
    assert result["bytes"]["optimizer"] == 2 * 4 * started["parameters"]["trainable"]
    assert result["activations_with_checkpointing"] < result["activations_without_checkpointing"]
    assert result["fits"] is True
