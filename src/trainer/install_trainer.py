"""Installs the trainer into a virtual environment: the pinned dependencies, then the package.

Standard library only: it runs with a system Python before any environment exists. Used by
scripts/setup-python.sh (text output, for people and CI) and by the editor extension (``--json``: one
JSON object a line on stdout, see below).

    python3 install_trainer.py --venv ~/.cache/tunesmith/venv [--editable] [--dev-requirements F] [--json]

requirements.lock holds what the trainer needs at run time (the editor's install offer installs only
that); a checkout adds requirements-dev.lock (pytest) with ``--dev-requirements``. The dependency
install (GBs: torch brings its CUDA libraries) is skipped when the stamp file in the venv records the
same hash of the pins (requirements.lock, the dev lock when given, pyproject.toml). The stamp is removed
before pip starts and written only after ``pip check`` passes, so an interrupted install is never
taken for a finished one. SIGTERM (the editor's Cancel) stops pip, and a venv this run created is
deleted.

JSON lines: ``{"type": "plan", "venv", "python", "pins": [[name, version]...], "up_to_date"}``, then
``{"type": "step", "message"}`` per phase, ``{"type": "pip", "line"}`` per line pip prints, and last
``{"type": "done", "python", "seconds", "message"?}``, ``{"type": "cancelled"}`` or ``{"type": "error", "message"}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
STAMP = ".tunesmith-pins.sha256"
SOURCE_STAMP = ".tunesmith-source"


class Cancelled(Exception):
    pass


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def pins(lock: Path) -> list[tuple[str, str]]:
    found = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found.append((name.strip(), version.strip()))
    return found


def pins_hash(lock: Path, package: Path, dev: Path | None = None) -> str:
    digest = hashlib.sha256(lock.read_bytes())
    if dev is not None:
        digest.update(b"\0dev\0" + dev.read_bytes())
    pyproject = package / "pyproject.toml"
    if pyproject.is_file():
        digest.update(pyproject.read_bytes())
    return digest.hexdigest()


class Installer:
    def __init__(self, args: argparse.Namespace, emit: Callable[..., None]) -> None:
        self.venv = Path(args.venv).expanduser().resolve()
        self.lock = Path(args.requirements).resolve()
        self.dev = Path(args.dev_requirements).resolve() if args.dev_requirements else None
        self.package = Path(args.package).resolve() if args.package else None
        self.editable = args.editable
        self.offline = args.offline
        self.json = args.json
        self.emit = emit
        self.pip: subprocess.Popen[str] | None = None
        self.created = False
        self.cancelled = False

    def run(self) -> Path:
        start = time.monotonic()
        python = venv_python(self.venv)
        digest = pins_hash(self.lock, self.package or HERE, self.dev)
        stamp = self.venv / STAMP
        up_to_date = python.is_file() and stamp.is_file() and stamp.read_text().strip() == digest
        planned = pins(self.lock) + (pins(self.dev) if self.dev else [])
        self.emit("plan", venv=str(self.venv), python=str(python), pins=planned, up_to_date=up_to_date)
        if up_to_date:
            self.link_package(python)
            self.emit("done", python=str(python), seconds=0, message=f"python environment up to date ({self.venv})")
            return python
        self.emit("step", message=f"installing python environment in {self.venv} (pins changed or first run)")
        if not python.is_file():
            self.emit("step", message="creating the virtual environment")
            self.created = True
            self.venv.parent.mkdir(parents=True, exist_ok=True)
            self.call([sys.executable, "-m", "venv", str(self.venv)])
        stamp.unlink(missing_ok=True)
        (self.venv / SOURCE_STAMP).unlink(missing_ok=True)
        if not self.offline:
            self.emit("step", message="upgrading pip")
            self.pip_install(python, ["--upgrade", "pip"])
        self.emit("step", message="installing the pinned packages")
        self.pip_install(python, ["-r", str(self.lock), *(["-r", str(self.dev)] if self.dev else [])])
        self.link_package(python)
        self.emit("step", message="checking the installed packages")
        self.call([str(python), "-m", "pip", "check"])
        stamp.write_text(digest + "\n")
        self.emit("done", python=str(python), seconds=round(time.monotonic() - start, 1))
        return python

    def link_package(self, python: Path) -> None:
        """Installs the package (editable in a clone, so a venv shared by clones must point at this one)."""
        if self.package is None:
            return
        source = f"{self.package}{' (editable)' if self.editable else ''}"
        source_stamp = self.venv / SOURCE_STAMP
        if source_stamp.is_file() and source_stamp.read_text().strip() == source:
            return
        self.emit("step", message=f"installing the trainer package from {self.package}")
        if self.editable:
            self.pip_install(python, ["--no-deps", "-e", str(self.package)])
        else:
            # A copy: pip builds in the source tree, and the extension's folder must stay clean. The copy
            # also follows the schemas symlink, so the wheel carries the files.
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "trainer"
                shutil.copytree(self.package, copy, ignore=shutil.ignore_patterns("tests", "*.egg-info", "__pycache__", "build"))
                schemas = copy / "tunesmith_trainer" / "schemas"
                if not schemas.exists():  # the extension's package holds no symlink, only the repository's schemas/
                    shutil.copytree(self.package.parent.parent / "schemas", schemas)
                self.pip_install(python, ["--no-deps", str(copy)])
        source_stamp.write_text(source + "\n")

    def pip_install(self, python: Path, args: list[str]) -> None:
        flags = ["--disable-pip-version-check", "--progress-bar", "off"]
        flags += ["--no-index"] if self.offline else []
        # The editor shows pip's lines as progress; a terminal gets pip's quiet mode, as before.
        flags += [] if self.json else ["--quiet"]
        self.call([str(python), "-m", "pip", "install", *flags, *args], pip_lines=self.json)

    def call(self, argv: list[str], pip_lines: bool = False) -> None:
        if self.cancelled:
            raise Cancelled()
        stdout = subprocess.PIPE if pip_lines else (sys.stderr if self.json else None)
        # A process group of its own, so Cancel also stops what it starts (venv runs ensurepip, pip builds).
        self.pip = subprocess.Popen(
            argv, stdout=stdout, stderr=subprocess.STDOUT if pip_lines else None, text=True, start_new_session=True
        )
        try:
            if self.pip.stdout is not None:
                for line in self.pip.stdout:
                    if line.strip():
                        self.emit("pip", line=line.rstrip())
            code = self.pip.wait()
        finally:
            self.pip = None
        if self.cancelled:
            raise Cancelled()
        if code != 0:
            raise RuntimeError(f"{' '.join(argv[:4])} ... exited with status {code}")

    def cancel(self) -> None:
        """The SIGTERM handler: stops the running command; `call` then raises Cancelled. It must not wait
        for the child itself, since the interrupted `call` may hold Popen's wait lock."""
        self.cancelled = True
        child = self.pip
        if child is not None and child.poll() is None:
            if os.name == "posix":
                os.killpg(child.pid, signal.SIGTERM)
            else:
                child.kill()

    def clean_up(self) -> None:
        if self.created:
            shutil.rmtree(self.venv, ignore_errors=True)


def size(folder: Path) -> str:
    total = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
    return f"{total / 1e9:.1f} GB" if total >= 1e9 else f"{total / 1e6:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", required=True, help="the virtual environment to create or update")
    parser.add_argument("--requirements", default=str(HERE / "requirements.lock"), help="pinned requirements")
    parser.add_argument("--dev-requirements", default="", help="pinned test tools too (a checkout)")
    parser.add_argument("--package", default=str(HERE), help="the trainer package folder ('' for none)")
    parser.add_argument("--editable", action="store_true", help="install the package editable (a clone)")
    parser.add_argument("--offline", action="store_true", help="pip --no-index (requirements are local files)")
    parser.add_argument("--json", action="store_true", help="JSON lines on stdout for the editor")
    args = parser.parse_args(argv)

    def emit(kind: str, **fields: object) -> None:
        if args.json:
            sys.stdout.write(json.dumps({"type": kind, **fields}) + "\n")
            sys.stdout.flush()
        elif kind == "step" or kind == "done":
            message = fields.get("message") or f"python environment ready in {fields['seconds']}s ({size(Path(args.venv))})"
            print(f"tunesmith: {message}", flush=True)

    installer = Installer(args, emit)
    signal.signal(signal.SIGTERM, lambda *_: installer.cancel())
    try:
        installer.run()
        return 0
    except (Cancelled, KeyboardInterrupt):
        installer.clean_up()
        emit("cancelled")
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure must reach the editor as a line
        installer.clean_up()
        if not args.json:
            raise
        emit("error", message=str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
