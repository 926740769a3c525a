"""Early stopping: a run whose eval loss stops improving ends before max_steps, says why, and completes."""

from __future__ import annotations

import json
import random
from pathlib import Path

import torch
from safetensors.torch import load_file

from conftest import read_events, train, write_config
from tunesmith_trainer.tiny import mapping, task_example


def test_a_run_stops_after_patience_evaluations_without_a_better_eval_loss(tiny, tmp_path):
    # Validation answers follow another mapping: once the model learns the training one, eval loss rises.
    rng, other = random.Random(7), mapping(seed=1)
    validation = tmp_path / "conflicting.jsonl"
    validation.write_text("".join(json.dumps(task_example(rng, other)) + "\n" for _ in range(32)))
    run_dir = tmp_path / "early"
    config = write_config(tiny, run_dir, data={"validation": str(validation)},
                          training={"max_steps": 150, "eval_steps": 5, "logging_steps": 5,
                                    "early_stopping_patience": 2, "save_steps": 1000})
    assert train(config) == 0
    events = read_events(run_dir)
    evals = [e for e in events if e["type"] == "eval"]
    finished = events[-1]
    assert finished["status"] == "completed" and finished["step"] < 150
    assert finished["step"] == evals[-1]["step"]

    # The stop comes exactly when `patience` evaluations in a row have not beaten the best one.
    losses = [e["eval_loss"] for e in evals]
    best = min(losses)
    assert losses.index(best) == len(losses) - 3 and all(x >= best for x in losses[-2:])
    assert [e["best_eval_loss"] for e in evals][-1] == best
    assert finished["metrics"]["stopped_early"] == 1 and finished["metrics"]["best_eval_loss"] == best
    warnings = [e for e in events if e["type"] == "warning"]
    assert any(f"stopped early at step {finished['step']}" in w["message"] for w in warnings)

    # A checkpoint is written at the stop, and the result is the model at the stop (as documented), not the best.
    checkpoint = Path(finished["paths"]["last_checkpoint"])
    assert checkpoint.name == f"checkpoint-{finished['step']}"
    result = load_file(str(run_dir / "adapter" / "adapter_model.safetensors"))
    at_stop = load_file(str(checkpoint / "adapter_model.safetensors"))
    assert result.keys() == at_stop.keys() and all(torch.equal(result[k], at_stop[k]) for k in result)
