#!/usr/bin/env bash
# Installs the named Debian packages that are not installed yet (a no-op once they are): Chromium for
# every browser test (driven by playwright-core; Playwright's own browser download is a host this
# network cannot reach) and libkrb5-dev for code-server's native kerberos module.
set -euo pipefail

missing=()
for package in "$@"; do
  # Not `dpkg -s`: it succeeds for a removed package whose configuration files remain.
  [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "tunesmith: installing ${missing[*]} from Debian…" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get install -y "${missing[@]}" >&2 || {
  $SUDO apt-get update >&2
  $SUDO apt-get install -y "${missing[@]}" >&2
}
