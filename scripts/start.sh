#!/usr/bin/env bash
# `npm start`: a real VS Code (code-server) with the extension installed, on the demo workspace.
# Idempotent and cached under ~/.cache/tunesmith/e2e; prints the URL and runs until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
exec node --import tsx scripts/start.ts "$@"
