#!/usr/bin/env bash
# The e2e suite: the extension in code-server, driven by Playwright in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-e2e.sh >/dev/null
exec node --import tsx --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec test/e2e/*.test.ts
