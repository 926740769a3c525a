"""SIGINT and SIGTERM for one ``train`` command, from its first moment to its last event.

Before training begins (reading the config and the data, loading the model, which can take minutes) a
signal stops the setup where it is: the handler raises ``StopRequested``, a BaseException like
KeyboardInterrupt, so no library's ``except Exception`` swallows it, and the command reports
``finished`` with ``cancelled``. Once training runs, a signal only asks the loop to end after the current
step; the loop then saves a checkpoint and reports ``cancelled`` (docs/trainer-events.md)."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequested(BaseException):
    """A signal arrived before training began; ``args[0]`` is its name (SIGTERM)."""


class Stop:
    def __init__(self) -> None:
        self.requested: str | None = None
        self.graceful = False
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = signal.Signals(signum).name
        if not self.graceful:
            raise StopRequested(self.requested)

    def install(self) -> None:
        for sig in SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def __enter__(self) -> "Stop":
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()
