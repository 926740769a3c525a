#!/usr/bin/env bash
# Creates (or reuses) the trainer's virtual environment and installs the pinned dependencies plus the
# tunesmith_trainer package (editable).
#
#   bash scripts/setup-python.sh            # venv in ~/.cache/tunesmith/venv (shared by every clone)
#   TUNESMITH_VENV=/path bash scripts/...   # venv elsewhere (e.g. a CI cache directory)
#   TUNESMITH_PYTHON=python3.12 ...         # interpreter used to create it
#
# torch from PyPI brings several GB of CUDA libraries, so the install is skipped entirely when the
# stamp file in the venv records the same hash of the pins (requirements.lock + pyproject.toml).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${TUNESMITH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tunesmith/venv}"
PY="${TUNESMITH_PYTHON:-python3}"
LOCK="$ROOT/src/trainer/requirements.lock"
STAMP="$VENV/.tunesmith-pins.sha256"

SOURCE_STAMP="$VENV/.tunesmith-source"

# The package is installed editable, so a venv shared by several clones must point at this one.
link_package() {
  if [ "$(cat "$SOURCE_STAMP" 2>/dev/null)" != "$ROOT" ]; then
    "$VENV/bin/python" -m pip install --quiet --no-deps -e "$ROOT/src/trainer"
    echo "$ROOT" > "$SOURCE_STAMP"
  fi
}

hash="$(cat "$LOCK" "$ROOT/src/trainer/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$hash" ]; then
  link_package
  echo "tunesmith: python environment up to date ($VENV)"
  exit 0
fi

start=$(date +%s)
echo "tunesmith: installing python environment in $VENV (pins changed or first run)"
mkdir -p "$(dirname "$VENV")"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r "$LOCK"
rm -f "$SOURCE_STAMP"
link_package
"$VENV/bin/python" -m pip check
echo "$hash" > "$STAMP"
echo "tunesmith: python environment ready in $(( $(date +%s) - start ))s ($(du -sh "$VENV" | cut -f1))"
