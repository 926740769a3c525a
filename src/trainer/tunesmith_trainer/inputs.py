"""What a run was started with, so that ``--resume`` continues the same run: the resolved config and the
SHA-256 of each data file, recorded in ``<run dir>/inputs.json`` when the run starts. On ``--resume`` a
changed data file or setting stops the run with the list of changes, unless ``--accept-changes`` is
given (then the changes are reported in a warning and become the run's recorded inputs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .config import RunConfig
from .data import DataFile
from .files import write_atomic

INPUTS = "inputs.json"
# Evaluation is a command of its own, a run folder may be moved, and data files are compared by content.
_IGNORED = ("evaluation", "output.dir", "data.train", "data.validation")
_ABSENT = object()


def fingerprint(files: dict[str, DataFile | None]) -> dict[str, dict[str, Any]]:
    return {role: {"path": str(f.path), "sha256": f.sha256, "bytes": f.size} for role, f in files.items() if f}


def record(run_dir: Path, config: RunConfig, files: dict[str, DataFile | None]) -> None:
    value = {"version": 1, "config": config.to_dict(), "data": fingerprint(files)}
    write_atomic(run_dir / INPUTS, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def recorded(run_dir: Path) -> dict[str, Any] | None:
    """The inputs the run recorded, or None (a run of an earlier tunesmith, or a file edited by hand)."""
    try:
        value = json.loads((run_dir / INPUTS).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return value if isinstance(value, dict) and isinstance(value.get("config"), dict) else None


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, item in value.items():
        out.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
    return out


def _show(value: Any) -> str:
    return "(not set)" if value is _ABSENT else json.dumps(value, ensure_ascii=False)


def changes(before: dict[str, Any], config: RunConfig, files: dict[str, DataFile | None]) -> list[str]:
    """Each difference between the recorded inputs and these, in words; empty when they are the same."""
    out = []
    then, now = before.get("data") or {}, fingerprint(files)
    for role in ("train", "validation"):
        old, new = then.get(role), now.get(role)
        if old and not new:
            out.append(f"data.{role}: {old['path']} is no longer in the config")
        elif new and not old:
            out.append(f"data.{role}: {new['path']} was added")
        elif old and new and old.get("sha256") != new["sha256"]:
            out.append(
                f"data.{role}: {new['path']} changed since the run started (sha256 {str(old.get('sha256'))[:12]}… → "
                f"{new['sha256'][:12]}…, {old.get('bytes', 0):,} → {new['bytes']:,} bytes)"
            )
    # Through JSON, as the recorded config went, so that a tuple and a list compare equal.
    then_config, now_config = _flatten(before["config"]), _flatten(json.loads(json.dumps(config.to_dict())))
    for key in sorted(set(then_config) | set(now_config)):
        if any(key == ignored or key.startswith(ignored + ".") for ignored in _IGNORED):
            continue
        old, new = then_config.get(key, _ABSENT), now_config.get(key, _ABSENT)
        if old != new:
            out.append(f"{key}: {_show(old)} → {_show(new)}")
    return out
