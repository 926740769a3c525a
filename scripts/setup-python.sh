#!/usr/bin/env bash
# Creates (or reuses) the trainer's virtual environment and installs the pinned dependencies, the test
# tools (requirements-dev.lock) and the tunesmith_trainer package (editable), with
# src/trainer/install_trainer.py: the same installer the editor's install offer runs (without the
# test tools).
#
#   bash scripts/setup-python.sh            # venv in ~/.cache/tunesmith/venv (shared by every clone)
#   TUNESMITH_VENV=/path bash scripts/...   # venv elsewhere (e.g. a CI cache directory)
#   TUNESMITH_PYTHON=python3.12 ...         # interpreter used to create it
#
# torch from PyPI brings several GB of CUDA libraries, so the install is skipped entirely when the
# stamp file in the venv records the same hash of the pins (both locks + pyproject.toml).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${TUNESMITH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tunesmith/venv}"
PY="${TUNESMITH_PYTHON:-python3}"
exec "$PY" "$ROOT/src/trainer/install_trainer.py" --venv "$VENV" --editable \
  --dev-requirements "$ROOT/src/trainer/requirements-dev.lock"
