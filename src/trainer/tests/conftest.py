"""Shared fixtures: a tiny Llama model with a locally built tokenizer and a synthetic task it learns on
the CPU in seconds (see tunesmith_trainer/tiny.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tunesmith_trainer.cli import main
from tunesmith_trainer.events import validate_event
from tunesmith_trainer.tiny import build_model, write_task

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny")
    build_model(root / "model")
    paths = write_task(root / "data")
    return {"root": root, "model": root / "model", **paths}


def write_config(tiny: dict[str, Path], run_dir: Path, **sections: Any) -> Path:
    config: dict[str, Any] = {
        "model": {"path": str(tiny["model"])},
        "data": {"train": str(tiny["train"]), "validation": str(tiny["validation"]), "max_length": 32},
        "method": {"type": "lora", "lora": {"r": 16, "alpha": 32}},
        "training": {"epochs": 6, "batch_size": 16, "learning_rate": 5e-3, "logging_steps": 10, "eval_steps": 50,
                     "save_steps": 1000, "warmup_ratio": 0.05},
        "evaluation": {"file": str(tiny["test"]), "max_new_tokens": 8},
        "output": {"dir": str(run_dir)},
    }
    for key, value in sections.items():
        # A None value removes the field (data={"validation": None}: a run without evaluation).
        merged = {**config.get(key, {}), **value}
        config[key] = {k: v for k, v in merged.items() if v is not None}
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    path = run_dir.parent / f"{run_dir.name}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def read_events(run_dir: Path) -> list[dict[str, Any]]:
    lines = (run_dir / "events.jsonl").read_text("utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    for event in events:
        validate_event(event)
    return events


def validate_report(report: dict[str, Any]) -> dict[str, Any]:
    """Raises when ``report`` breaks schemas/evaluation-report.schema.json; returns it."""
    import jsonschema

    from tunesmith_trainer.schema import load_schema

    jsonschema.validate(report, load_schema("evaluation-report"), cls=jsonschema.Draft202012Validator)
    return report


def report_rows(run_dir: Path) -> list[dict[str, Any]]:
    """The final evaluation's examples as rows of prompt, reference, base and tuned output."""
    report = validate_report(json.loads((run_dir / "evaluations" / "final.json").read_text("utf-8")))
    return [{"prompt": e["prompt"], "reference": e["reference"], **e["outputs"]} for e in report["examples"]]


def train(config: Path, *extra: str) -> int:
    return main(["train", "--config", str(config), *extra])


def spawn_train(config: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tunesmith_trainer", "train", "--config", str(config), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def prepare(config: Path) -> Any:
    """A recipe set up exactly as `train` sets it up (data prepared by TRL, model wrapped), without training."""
    from tunesmith_trainer.config import load_config
    from tunesmith_trainer.events import EventWriter
    from tunesmith_trainer.recipe import TrainRecipe

    recipe = TrainRecipe(load_config(config), EventWriter(None, None))
    recipe.setup()
    return recipe
