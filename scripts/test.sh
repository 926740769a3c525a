#!/usr/bin/env bash
# The whole test suite, as CI runs it. Each step installs what it needs (cached under
# ~/.cache/tunesmith), so a fresh machine needs only `npm ci && npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run build
npm run lint
npm run test:unit     # engine, rules, CLI (node:test)
npm run test:lsp      # the language server over a real JSON-RPC connection
npm run test:python   # the trainer: tiny models really trained on the CPU (pytest)
npm run test:webview  # the run panel in Chromium against a stub host (recorded events, escaping, chart speed)
npm run test:e2e      # the extension in code-server, driven by Playwright in Chromium (incl. a real CPU run)
