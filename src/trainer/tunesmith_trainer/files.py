"""Writing files and folders so that a kill or a power cut leaves the old version or the whole new one:
written beside the target, flushed to disk, then renamed over it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PARTIAL = ".partial"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def staging_dir(final: Path) -> Path:
    """Where ``final`` is written before ``commit_dir``: ``<parent>/.partial/<name>``, emptied."""
    staged = final.parent / PARTIAL / final.name
    shutil.rmtree(staged, ignore_errors=True)
    staged.parent.mkdir(parents=True, exist_ok=True)
    return staged


def commit_dir(staged: Path, final: Path) -> None:
    """Flushes every file under ``staged`` (``<parent>/.partial/<name>``) to disk, then renames it to
    ``final``; a folder already there is moved beside ``staged`` first and deleted after."""
    fsync_tree(staged)
    if final.exists():
        old = staged.parent / f"replaced-{final.name}"
        shutil.rmtree(old, ignore_errors=True)
        os.rename(final, old)
        os.rename(staged, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staged, final)
    fsync_dir(final.parent)
    remove_if_empty(staged.parent)


def remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (another staged folder), or already gone
        pass


def fsync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                os.fsync(handle.fileno())
        fsync_dir(Path(folder))


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


