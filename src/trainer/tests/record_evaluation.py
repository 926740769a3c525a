"""Records test/fixtures/evaluation-report.recorded.json: a real report of the demo's tiny task, for the
TypeScript tests (panel, exports, editor). Not a test; run it again when the report format changes:

    export XDG_CACHE_HOME=...   # as for the python suite
    $XDG_CACHE_HOME/tunesmith/venv/bin/python src/trainer/tests/record_evaluation.py

It trains the demo model (demo/models/tiny-llama) on demo/tiny-task with the "Tiny demo" preset of the
New Run form (webview/new-run/fields.ts) on the CPU, evaluates the validation file, and writes the
report with paths relative to the repository (the run as demo/.tunesmith/runs/tiny-demo) and a fixed
`created`, so the line hashes match demo/tiny-task/validation.jsonl and a re-run changes little.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "test" / "fixtures" / "evaluation-report.recorded.json"
RUN = "demo/.tunesmith/runs/tiny-demo"
# The "Tiny demo" preset (webview/new-run/fields.ts), with the form's defaults for the rest.
PRESET = {
    "data": {"max_length": 32},
    "method": {"type": "lora", "lora": {"r": 16, "alpha": 32}},
    "training": {"epochs": 6, "batch_size": 16, "gradient_accumulation": 1, "learning_rate": 0.005,
                 "warmup_ratio": 0.05, "logging_steps": 2, "eval_steps": 10, "save_steps": 50},
}


def relative(value: object, run_dir: str) -> object:
    if isinstance(value, str):
        return value.replace(run_dir, RUN).replace(str(ROOT) + "/", "")
    if isinstance(value, list):
        return [relative(v, run_dir) for v in value]
    if isinstance(value, dict):
        return {k: relative(v, run_dir) for k, v in value.items()}
    return value


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from tunesmith_trainer.cli import main as cli

    with tempfile.TemporaryDirectory(prefix="tunesmith-record-") as tmp:
        run_dir = Path(tmp) / "tiny-demo"
        config = {
            "model": {"path": str(ROOT / "demo/models/tiny-llama")},
            "data": {"train": str(ROOT / "demo/tiny-task/train.jsonl"),
                     "validation": str(ROOT / "demo/tiny-task/validation.jsonl"), **PRESET["data"]},
            "method": PRESET["method"],
            "training": PRESET["training"],
            "output": {"dir": str(run_dir)},
        }
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        with open(os.devnull, "w") as quiet:
            stdout, sys.stdout = sys.stdout, quiet
            try:
                assert cli(["train", "--config", str(path)]) == 0, "training failed"
                assert cli(["evaluate", "--config", str(run_dir / "config.json")]) == 0, "evaluation failed"
            finally:
                sys.stdout = stdout
        report = json.loads((run_dir / "evaluations" / "final.json").read_text("utf-8"))
    report = relative(report, str(run_dir))
    report["created"] = "2026-12-03T12:00:00+00:00"
    FIXTURE.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    metrics = report["metrics"]
    print(json.dumps({"fixture": str(FIXTURE.relative_to(ROOT)), "bytes": FIXTURE.stat().st_size,
                      "base": metrics["base"], "tuned": metrics["tuned"],
                      "verdict": report["comparison"]["verdict"], "notes": report["notes"]}, indent=2))


if __name__ == "__main__":
    main()
