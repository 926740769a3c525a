"""Checkpoints that are complete or recognisably partial.

transformers' Trainer writes a checkpoint file by file into ``checkpoint-N/``; a kill in the middle
leaves a folder that looks like a checkpoint and is not one, and resuming from it fails. Here the
Trainer writes each checkpoint into ``checkpoints/.partial/checkpoint-N/``; once it is complete, its
files are flushed to disk and the folder is renamed to ``checkpoints/checkpoint-N/``. So a
``checkpoint-N`` folder is always whole, and ``.partial`` holds at most the one checkpoint being
written (or an old one being deleted). Rotation (``training.save_total_limit``) happens after the
rename, by renaming the old folder into ``.partial`` before deleting it, so it never removes the only
complete checkpoint and never leaves a half-deleted one under a checkpoint's name.

A ``checkpoint-N`` folder that has no readable ``trainer_state.json`` for step N (which the Trainer
writes last) is incomplete too: a run of an earlier tunesmith killed while saving, or a partial copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import PARTIAL, commit_dir, fsync_dir, remove_if_empty

_NAME = re.compile(r"^checkpoint-(\d+)$")


@dataclass
class Incomplete:
    path: Path
    step: int
    reason: str


@dataclass
class Checkpoints:
    """What ``checkpoints/`` holds: complete checkpoints by step (oldest first) and everything else."""

    complete: list[tuple[int, Path]] = field(default_factory=list)
    incomplete: list[Incomplete] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)


def step_of(path: Path) -> int | None:
    match = _NAME.match(path.name)
    return int(match.group(1)) if match else None


def incomplete_reason(path: Path, step: int) -> str | None:
    """Why the folder ``path`` is not a complete checkpoint of ``step``; None when it is."""
    try:
        state = json.loads((path / "trainer_state.json").read_text("utf-8"))
    except FileNotFoundError:
        return "it has no trainer_state.json, which is written last: the run stopped while saving it"
    except (OSError, ValueError):
        return "its trainer_state.json cannot be read: the run stopped while saving it"
    if not isinstance(state, dict) or state.get("global_step") != step:
        return f"its trainer_state.json is not for step {step}"
    return None


def scan(root: Path) -> Checkpoints:
    found = Checkpoints()
    if not root.is_dir():
        return found
    for entry in root.iterdir():
        step = step_of(entry)
        if step is None or not entry.is_dir():
            continue
        reason = incomplete_reason(entry, step)
        if reason is None:
            found.complete.append((step, entry))
        else:
            found.incomplete.append(Incomplete(entry, step, reason))
    staging = root / PARTIAL
    if staging.is_dir():
        for entry in staging.iterdir():
            step = step_of(entry)
            if step is None:
                found.leftovers.append(entry)
            else:
                reason = "the run stopped while it was being written"
                found.incomplete.append(Incomplete(entry, step, reason))
    found.complete.sort()
    found.incomplete.sort(key=lambda item: item.step)
    return found


def discard_incomplete(root: Path, found: Checkpoints) -> None:
    """Removes every incomplete checkpoint and leftover, so that new ones are written into a clean place."""
    for item in found.incomplete:
        if item.path.parent == root:
            remove(item.path)
    shutil.rmtree(root / PARTIAL, ignore_errors=True)


def remove(path: Path) -> None:
    """Deletes a checkpoint folder without ever leaving a half-deleted one under its own name."""
    trash = path.parent / PARTIAL / f"deleting-{path.name}"
    trash.parent.mkdir(exist_ok=True)
    shutil.rmtree(trash, ignore_errors=True)
    os.rename(path, trash)
    fsync_dir(path.parent)
    shutil.rmtree(trash, ignore_errors=True)
    remove_if_empty(trash.parent)


def rotate(root: Path, keep: int) -> None:
    """Keeps the newest ``keep`` complete checkpoints (at least one) and deletes the older ones."""
    complete = scan(root).complete
    for _, path in complete[: max(0, len(complete) - max(1, keep))]:
        remove(path)


def staged_trainer(base: type) -> type:
    """``base`` (SFTTrainer) with its checkpoints written into ``.partial`` and renamed into place.

    The Trainer builds a checkpoint's path from ``_get_output_dir``; pointing that at the staging
    folder for the length of one save is the smallest change to how it saves (every file it writes,
    and the order, stay the Trainer's own). Its own rotation is off (``save_total_limit=None`` in its
    arguments); ``keep`` is ours, applied after the rename."""

    class StagedTrainer(base):  # type: ignore[misc, valid-type]
        keep: int = 1
        _staging: str | None = None

        def _get_output_dir(self, trial: Any) -> str:
            return self._staging or super()._get_output_dir(trial)

        def _save_checkpoint(self, model: Any, trial: Any) -> None:
            root = Path(super()._get_output_dir(trial))
            staging = root / PARTIAL
            if self.args.should_save:
                shutil.rmtree(staging, ignore_errors=True)
                staging.mkdir(parents=True)
            self.accelerator.wait_for_everyone()
            self._staging = str(staging)
            try:
                super()._save_checkpoint(model, trial)
            finally:
                self._staging = None
            # Every rank has written its part (RNG states) before rank 0 renames the folder.
            self.accelerator.wait_for_everyone()
            if self.args.should_save:
                name = f"checkpoint-{self.state.global_step}"
                commit_dir(staging / name, root / name)
                rotate(root, self.keep)

    return StagedTrainer
