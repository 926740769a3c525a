#!/usr/bin/env bash
# The trainer's tests: set up (or reuse) the Python environment, then run pytest on the CPU.
# pytest exits 5 when it collects no tests, which fails this script like any other failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/scripts/setup-python.sh"
VENV="${TUNESMITH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tunesmith/venv}"
cd "$ROOT/src/trainer"
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# A test that hangs fails after 10 minutes with every thread's stack, instead of using up CI's time.
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider --timeout=600 "$@"
