"""One exception type for every failure the user can act on; the CLI turns it into an ``error`` event."""

from __future__ import annotations

import errno

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
        problems: list[dict[str, str]] | None = None,
    ):
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        self.problems = problems

    def event_fields(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, "hint": self.hint, "file": self.file, "line": self.line,
                "problems": self.problems}

    @classmethod
    def from_os_error(cls, exc: OSError) -> "TrainerError":
        """A file the run reads or writes failed: what and where, and what to do."""
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return cls("environment", f"the disk is full{where}",
                       "Free some space (or lower training.save_total_limit), then --resume.")
        return cls("environment", f"{exc.strerror or exc}{where}", "Check that the path exists and that you may use it.")
