"""Checkpoints survive kills: a checkpoint on disk is complete or recognisably partial, `--resume`
continues from the newest complete one, and rotation never leaves the run without one."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from conftest import read_events, train, write_config


def complete_steps(root: Path) -> list[int]:
    """The steps of the checkpoint folders under ``root``, each checked to be whole by what resuming needs
    (independently of the trainer's own check): the Trainer's state for that step, the adapter weights,
    the optimizer, scheduler and RNG states."""
    steps = []
    for folder in root.glob("checkpoint-*"):
        step = int(folder.name.split("-")[1])
        assert json.loads((folder / "trainer_state.json").read_text())["global_step"] == step, folder
        assert load_file(str(folder / "adapter_model.safetensors")), folder
        for name in ("optimizer.pt", "scheduler.pt", "rng_state.pth"):
            assert torch.load(folder / name, weights_only=False) is not None, folder / name
        steps.append(step)
    return sorted(steps)


def test_resume_skips_an_incomplete_checkpoint_and_says_which_and_why(tiny, tmp_path):
    run_dir = tmp_path / "incomplete"
    config = write_config(tiny, run_dir, data={"validation": None},
                          training={"max_steps": 6, "batch_size": 4, "save_steps": 2, "save_total_limit": 3,
                                    "eval_steps": None})
    assert train(config) == 0
    # What a kill while saving checkpoint-6 left before checkpoints were written whole: an empty folder.
    newest = run_dir / "checkpoints" / "checkpoint-6"
    shutil.rmtree(newest)
    newest.mkdir()
    assert train(config, "--resume") == 0
    events = read_events(run_dir)
    started = max(i for i, e in enumerate(events) if e["type"] == "started")
    [warning] = [e for e in events[:started] if e["type"] == "warning" and "checkpoint-6" in e["message"]]
    assert warning["message"].startswith("resuming from checkpoint-4, not from the newer checkpoint-6: it is incomplete")
    assert "trainer_state.json" in warning["message"]
    assert events[started]["resumed_from"] == str(run_dir / "checkpoints" / "checkpoint-4")
    assert events[-1]["status"] == "completed" and events[-1]["step"] == 6
    assert complete_steps(run_dir / "checkpoints") == [2, 4, 6]


class Forker:
    """One Python with the trainer's libraries imported that forks a `train` command on request. Each child
    is a real process running the CLI's `main` from its first line, as `python -m tunesmith_trainer train`
    does, without paying the imports (about 10 CPU seconds) for every one of the test's processes."""

    SCRIPT = """
import json, os, sys
import datasets, peft, torch, transformers, trl.trainer.sft_trainer  # what `train` imports, loaded once
from tunesmith_trainer import cli, recipe
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os._exit(cli.main(json.loads(line)))
    print(pid, flush=True)
    print(os.waitpid(pid, 0)[1], flush=True)
"""

    def __init__(self) -> None:
        # One thread: a tiny model gains nothing from more, and on a shared machine spinning threads cost.
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env={**os.environ, "OMP_NUM_THREADS": "1"})

    def train(self, config: Path, *extra: str) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(["train", "--config", str(config), *extra]) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def wait(self) -> int:
        """The wait status of the last child."""
        assert self.proc.stdout is not None
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def events_since(path: Path, offset: int) -> list[dict[str, Any]]:
    """The complete event lines written after byte ``offset`` of events.jsonl."""
    if not path.exists():
        return []
    lines = path.read_bytes()[offset:].split(b"\n")
    return [json.loads(line) for line in lines[:-1]]


def is_whole(folder: Path) -> bool:
    try:
        return json.loads((folder / "trainer_state.json").read_text())["global_step"] == int(folder.name.split("-")[1])
    except (OSError, ValueError, KeyError):
        return False


def on_disk(root: Path) -> str:
    """Where a kill landed, by what it left: a checkpoint being written (in the staging folder, or under its
    own name without the Trainer's state, which it writes last), one being deleted, or neither."""
    if list(root.glob(".partial/checkpoint-*")) or not all(is_whole(f) for f in root.glob("checkpoint-*")):
        return "while writing"
    if list(root.glob(".partial/*")) or len(list(root.glob("checkpoint-*"))) > 1:
        return "while rotating"
    return "between saves"


def test_random_kills_around_checkpoint_saves_always_leave_a_run_that_resumes(tiny, tmp_path):
    rng = random.Random(20261203)
    run_dir = tmp_path / "killed"
    # No evaluation: the time goes to training, saving and resuming.
    config = write_config(tiny, run_dir, data={"validation": None},
                          training={"max_steps": 80, "epochs": 100, "batch_size": 4, "save_steps": 2,
                                    "save_total_limit": 1, "eval_steps": None, "logging_steps": 1000})
    root, log = run_dir / "checkpoints", run_dir / "events.jsonl"
    deadline = time.monotonic() + 420
    landed: list[str] = []
    forker = Forker()
    try:
        # Six seeded kills, then (up to six more) aimed at a write until one has landed there: where a kill
        # lands depends on the machine's timing, and the write is the moment this test exists for.
        for kill in range(12):
            if kill >= 6 and "while writing" in landed:
                break
            before = complete_steps(root)
            offset = log.stat().st_size if log.exists() else 0
            pid = forker.train(config, *(["--resume"] if before else []))
            saves = rng.randint(1, 2)
            aim = rng.choice(["while writing", "while writing", "while rotating", "between saves"])
            delay = 0.0 if aim == "while rotating" else rng.uniform(0, 0.04)
            if kill >= 6:
                aim, delay = "while writing", 0.0

            def reached() -> bool:
                events = events_since(log, offset)
                assert not any(e["type"] == "finished" for e in events), events[-2:]
                done = sum(e["type"] == "checkpoint" for e in events)
                if aim == "between saves" or done > saves:  # (or the moment aimed at passed unseen)
                    return done >= saves
                return done >= saves - 1 and on_disk(root) == aim

            while not reached():
                assert time.monotonic() < deadline, "the kill test ran out of time"
                time.sleep(0.001)
            time.sleep(delay)  # not a wait for a state: the random moment at which the fault is injected
            os.kill(pid, signal.SIGKILL)
            assert os.WTERMSIG(forker.wait()) == signal.SIGKILL
            landed.append(on_disk(root))

            # On disk: complete checkpoints, never fewer or older than before, plus at most one partial one.
            after, events = complete_steps(root), events_since(log, offset)
            saved = any(e["type"] == "checkpoint" for e in events)
            assert not (before or saved) or (after and after[-1] >= (before or [0])[-1]), (before, after, landed)
            assert len(after) <= 2, after  # the one kept, and a newer one not rotated yet
            partial = list((root / ".partial").iterdir()) if (root / ".partial").is_dir() else []
            assert len(partial) <= 1, partial
            assert not [p for p in root.iterdir() if p.name not in (".partial", "README.md")
                        and not p.name.startswith("checkpoint-")]
            if before:
                [started] = [e for e in events if e["type"] == "started"]
                assert started["resumed_from"] == str(root / f"checkpoint-{before[-1]}")
        assert "while writing" in landed, landed

        offset = log.stat().st_size
        forker.train(config, "--resume")
        assert os.WEXITSTATUS(forker.wait()) == 0
    finally:
        forker.close()
    finished = events_since(log, offset)[-1]
    assert finished["type"] == "finished" and finished["status"] == "completed" and finished["step"] == 80
    assert complete_steps(root) == [80] and not (root / ".partial").exists()
