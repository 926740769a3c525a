"""Full fine-tuning: every weight trains, and the saved model is a plain Hugging Face model."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from conftest import read_events, report_rows, train, write_config
from tunesmith_trainer.config import load_config
from tunesmith_trainer.evaluate import evaluate, generate


@pytest.fixture(scope="module")
def full_run(tiny, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("full") / "run"
    config = write_config(tiny, run_dir, method={"type": "full"}, training={"learning_rate": 1e-3})
    assert train(config) == 0
    return config, run_dir


def test_full_fine_tuning_changes_every_weight_and_learns_the_task(full_run, tiny):
    config, run_dir = full_run
    events = read_events(run_dir)
    assert events[0]["parameters"]["trainable"] == events[0]["parameters"]["total"]
    losses = [e["loss"] for e in events if e["type"] == "log"]
    assert losses[-1] <= losses[0] / 2, losses
    finished = events[-1]
    assert finished["status"] == "completed" and finished["paths"]["model"] == str(run_dir / "model")

    base = load_file(str(tiny["model"] / "model.safetensors"))
    tuned = load_file(str(run_dir / "model" / "model.safetensors"))
    assert tuned.keys() == base.keys()
    unchanged = [name for name in base if torch.equal(base[name], tuned[name])]
    assert unchanged == []

    summary = evaluate(load_config(config))
    assert summary["exact_match"]["tuned"] >= 0.9 > summary["exact_match"]["base"]


def test_the_full_model_loads_with_from_pretrained_and_reproduces_the_generations(full_run):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    config, run_dir = full_run
    rows = report_rows(run_dir)
    model = AutoModelForCausalLM.from_pretrained(run_dir / "model").eval()
    tokenizer = AutoTokenizer.from_pretrained(run_dir / "model")
    again = generate(model, tokenizer, [r["prompt"] for r in rows], batch_size=7, max_new_tokens=8)
    assert again == [r["tuned"] for r in rows]
