"""The event protocol (version 1): one JSON object per line, appended to ``events.jsonl`` in the run
directory and flushed per event so an editor can re-attach after a reload, and echoed to stdout.
docs/trainer-events.md describes each event; schemas/events.schema.json is the contract."""

from __future__ import annotations

import errno
import json
import math
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Literal

from .schema import load_schema

PROTOCOL_VERSION = 1
ErrorKind = Literal["data", "config", "environment", "oom", "internal"]
Status = Literal["completed", "cancelled", "failed"]


def _clean(value: Any) -> Any:
    # JSON has no NaN/Infinity: a diverged loss is reported as null rather than as invalid JSON.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


class EventWriter:
    """Writes events to ``events.jsonl`` (when a run directory is known) and to ``stream``.

    Only rank 0 of a distributed run writes; the others get a writer with ``enabled=False``."""

    def __init__(self, run_dir: Path | None = None, stream: IO[str] | None = sys.stdout, enabled: bool = True,
                 name: str = "events.jsonl"):
        self.enabled = enabled
        self.stream = stream
        self.path = run_dir / name if run_dir is not None else None
        self._file: IO[str] | None = None
        if enabled and self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self.events: list[dict[str, Any]] = []

    def emit(self, type_: str, **fields: Any) -> dict[str, Any]:
        event = {"v": PROTOCOL_VERSION, "type": type_, "time": datetime.now(timezone.utc).isoformat()}
        event.update(_clean({k: v for k, v in fields.items() if v is not None}))
        if not self.enabled:
            return event
        line = json.dumps(event, ensure_ascii=False)
        self.events.append(event)
        for out in (self._file, self.stream):
            if out is not None:
                out.write(line + "\n")
                out.flush()
        return event

    def error(self, kind: ErrorKind, message: str, hint: str | None = None, **extra: Any) -> dict[str, Any]:
        return self.emit("error", kind=kind, message=message, hint=hint, **extra)

    def warning(self, message: str, hint: str | None = None) -> dict[str, Any]:
        return self.emit("warning", message=message, hint=hint)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def open_run_events(run_dir: Path, stream: IO[str] | None, *, enabled: bool = True) -> EventWriter:
    """The writer of a run's events.jsonl; a run directory that cannot be written (read-only, under a
    file) is a config error that says which, raised before any other work."""
    from .errors import TrainerError

    try:
        return EventWriter(run_dir, stream, enabled=enabled)
    except OSError as exc:
        blocker = next((p for p in (run_dir, *run_dir.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            reason = f"{blocker} is a file, not a folder" if blocker != run_dir else "it is a file, not a folder"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason = f"{blocker or run_dir} is read-only ({exc.strerror})"
        else:
            reason = f"{exc.strerror} ({exc.filename or run_dir})"
        raise TrainerError(
            "config", f"cannot write the run to output.dir {run_dir}: {reason}", "Set output.dir to a folder you can write to."
        ) from exc


def validate_event(event: dict[str, Any], schema: Literal["events", "evaluation-events"] = "events") -> None:
    """Raises jsonschema.ValidationError when ``event`` breaks the protocol."""
    import jsonschema

    jsonschema.validate(event, load_schema(schema), cls=jsonschema.Draft202012Validator)
