"""`evaluate` reports its progress to evaluation.events.jsonl, for an editor following a detached run."""

from __future__ import annotations

import json

from tunesmith_trainer.cli import main
from tunesmith_trainer.events import validate_event

from conftest import train, write_config


def read_eval_events(run_dir):
    events = [json.loads(line) for line in (run_dir / "evaluation.events.jsonl").read_text("utf-8").splitlines()]
    for event in events:
        validate_event(event, "evaluation-events")
    return events


def test_evaluate_reports_progress_of_each_phase_then_the_summary(tiny, tmp_path, capsys):
    run_dir = tmp_path / "run"
    config = write_config(tiny, run_dir, training={"max_steps": 4, "eval_steps": 1000},
                          evaluation={"batch_size": 4, "max_new_tokens": 4})
    assert train(config) == 0
    capsys.readouterr()
    assert main(["evaluate", "--config", str(config), "--limit", "6"]) == 0
    printed = json.loads(capsys.readouterr().out)

    events = read_eval_events(run_dir)
    assert events[0]["type"] == "eval_started" and events[0]["limit"] == 6
    progress = [(e["phase"], e["done"], e["total"]) for e in events if e["type"] == "eval_progress"]
    # Batches of 4 over 6 examples: 0, 4, 6 for each model, base first.
    assert progress == [("base", 0, 6), ("base", 4, 6), ("base", 6, 6), ("tuned", 0, 6), ("tuned", 4, 6), ("tuned", 6, 6)]
    finished = events[-1]
    assert finished["type"] == "eval_finished" and finished["status"] == "completed"
    assert finished["summary"] == printed and printed["examples"] == 6


def test_evaluate_before_training_reports_the_error_then_failed(tiny, tmp_path, capsys):
    run_dir = tmp_path / "untrained"
    config = write_config(tiny, run_dir)
    assert main(["evaluate", "--config", str(config)]) == 1
    events = read_eval_events(run_dir)
    assert [e["type"] for e in events] == ["eval_started", "error", "eval_finished"]
    assert "no trained result" in events[1]["message"] and events[-1]["status"] == "failed"
    assert "error" in json.loads(capsys.readouterr().out)
