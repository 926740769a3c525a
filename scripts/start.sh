#!/usr/bin/env bash
# `npm start`: a real VS Code (code-server) with the extension installed, on the demo workspace.
# Idempotent and cached under ~/.cache/tunesmith/e2e; prints the URL and runs until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
# The trainer environment, so a run can be launched from the demo (cached; about 6 GB on first use).
bash scripts/setup-python.sh
exec node --import tsx scripts/start.ts "$@"
