"""One exception type for every failure the user can act on; the CLI turns it into an ``error`` event."""

from __future__ import annotations

from .events import ErrorKind


class TrainerError(Exception):
    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        hint: str | None = None,
        *,
        file: str | None = None,
        line: int | None = None,
    ):
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line

    def event_fields(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, "hint": self.hint, "file": self.file, "line": self.line}
