#!/usr/bin/env bash
# The whole test suite, as CI runs it: build, static checks, unit and CLI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run build
npm run lint
npm run test:unit
npm run test:python
