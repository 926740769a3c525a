"""Faults a user causes end in a clear error naming the file (and line), found before any model work,
with `finished` last: a broken training line, an output dir that cannot be written, SIGTERM before the
run started, a config with several problems, and a resume on data that changed since the run started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import read_events, spawn_train, train, write_config

GOOD = b'{"prompt": "map : a1", "completion": "b1"}\n'
BAD_LINES = {
    "invalid UTF-8": (b'{"prompt": "caf\xe9", "completion": "b1"}\n', "not valid UTF-8 (byte 0xe9 at column 16)"),
    "lone surrogate escape": (b'{"prompt": "map \\udc80", "completion": "b1"}\n', "lone surrogate escape"),
    "deep nesting": (b"[" * 100_000 + b"\n", "nested too deeply"),
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_a_bad_training_line_is_a_data_error_naming_the_line_before_any_model_work(case, tiny, tmp_path):
    line, expected = BAD_LINES[case]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(GOOD * 3 + line + GOOD)
    # No model at all: had the trainer done any model work before reading the data, it would fail on that.
    (tmp_path / "no-model").mkdir()
    run_dir = tmp_path / "run"
    config = write_config(tiny, run_dir, model={"path": str(tmp_path / "no-model")}, data={"train": str(bad)})
    assert train(config) == 1
    error, finished = read_events(run_dir)
    assert error["kind"] == "data" and error["file"] == str(bad) and error["line"] == 4
    assert error["message"].startswith("bad.jsonl:4: ") and expected in error["message"], error["message"]
    assert finished["status"] == "failed"


def test_a_utf16_training_file_says_to_convert_it(tiny, tmp_path):
    bad = tmp_path / "utf16.jsonl"
    bad.write_bytes(GOOD.decode().encode("utf-16"))
    run_dir = tmp_path / "run"
    assert train(write_config(tiny, run_dir, data={"train": str(bad)})) == 1
    error = read_events(run_dir)[0]
    assert error["kind"] == "data" and "UTF-16" in error["message"] and "UTF-8" in error["hint"]


def _events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_an_output_dir_under_a_regular_file_is_a_clear_config_error(tiny, tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n")
    config = write_config(tiny, tmp_path / "cfg", output={"dir": str(blocker / "run")})
    assert train(config) == 1
    error, finished = _events(capsys.readouterr().out)
    assert error["kind"] == "config" and "bug" not in error["hint"]
    assert error["message"] == f"cannot write the run to output.dir {blocker / 'run'}: {blocker} is a file, not a folder"
    assert finished["type"] == "finished" and finished["status"] == "failed"


def test_a_read_only_output_dir_is_a_clear_config_error(tiny, tmp_path):
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    config = write_config(tiny, tmp_path / "cfg", output={"dir": str(read_only)})
    command = [sys.executable, "-m", "tunesmith_trainer", "train", "--config", str(config)]
    if os.geteuid() == 0:
        # Root writes anywhere; without its capabilities it sees file permissions as any user does.
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    error, finished = _events(done.stdout)
    assert error["kind"] == "config"
    assert error["message"].startswith(f"cannot write the run to output.dir {read_only}: {read_only} is read-only")
    assert "Traceback" not in done.stderr and finished["status"] == "failed"


def test_sigterm_before_the_run_started_still_ends_with_finished(tiny, tmp_path):
    run_dir = tmp_path / "early-term"
    proc = spawn_train(write_config(tiny, run_dir))
    # events.jsonl exists once the config is read; `started` needs torch, the data and the model first.
    deadline = time.monotonic() + 60
    while not (run_dir / "events.jsonl").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    warning, finished = read_events(run_dir)
    assert warning["type"] == "warning" and "stopped by SIGTERM before training started" in warning["message"]
    assert finished["type"] == "finished" and finished["status"] == "cancelled"
    assert not (run_dir / "checkpoints").exists()


def test_a_config_with_several_problems_lists_every_one(tiny, tmp_path):
    run_dir = tmp_path / "many"
    config = write_config(tiny, run_dir, method={"type": "full", "lora": {"r": 0}},
                          training={"batch_size": 0, "learning_rate": 0}, output={"merge": True})
    assert train(config) == 1
    error, finished = read_events(run_dir)
    paths = ["method/lora/r", "training/batch_size", "training/learning_rate", "output/merge"]
    assert sorted(p["path"] for p in error["problems"]) == sorted(paths)
    assert error["message"].startswith("run config has 4 problems: ") and "more" not in error["message"]
    for path in paths:
        assert path in error["message"]
    assert finished["status"] == "failed"


def test_resume_refuses_data_and_settings_that_changed_unless_told_to_accept_them(tiny, tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_bytes(tiny["train"].read_bytes())
    run_dir = tmp_path / "changed"
    settings = {"data": {"train": str(data), "validation": None},
                "training": {"max_steps": 2, "batch_size": 4, "save_steps": 2, "eval_steps": None}}
    config = write_config(tiny, run_dir, **settings)
    assert train(config) == 0
    data.write_bytes(data.read_bytes() + data.read_bytes().splitlines(keepends=True)[0])
    changed = write_config(tiny, run_dir, **{**settings, "training": {**settings["training"], "learning_rate": 1e-3}})
    assert train(changed, "--resume") == 1
    error, finished = read_events(run_dir)[-2:]
    assert error["kind"] == "data" and error["file"] == str(data) and finished["status"] == "failed"
    assert f"data.train: {data} changed since the run started" in error["message"]
    assert "training.learning_rate: 0.005 → 0.001" in error["message"]
    assert "--accept-changes" in error["hint"]
    recorded = json.loads((run_dir / "inputs.json").read_text())
    assert recorded["config"]["training"]["learning_rate"] == 0.005

    assert train(changed, "--resume", "--accept-changes") == 0
    events = read_events(run_dir)
    started = max(i for i, e in enumerate(events) if e["type"] == "started")
    warnings = [e["message"] for e in events[started - 1 : started] if e["type"] == "warning"]
    assert warnings and warnings[0].startswith("resuming with changed inputs (--accept-changes): data.train")
    assert events[-1]["status"] == "completed"
    recorded = json.loads((run_dir / "inputs.json").read_text())
    assert recorded["config"]["training"]["learning_rate"] == 0.001
    assert recorded["data"]["train"]["bytes"] == data.stat().st_size
    # Now recorded, the same inputs resume without a word.
    assert train(changed, "--resume") == 0
    assert not [e for e in read_events(run_dir)[len(events):] if e["type"] in ("warning", "error")]
