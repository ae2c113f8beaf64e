#!/usr/bin/env bash
# Install Debian's chromium for the web demo's browser tests
# (tests/test_webui), unless a chromium is already there.
#
# Used by `make test`. Idempotent and quick when present. Needs root (or
# sudo) and apt; elsewhere it says what to install and exits 0, and the
# browser tests skip (CI sets E2EVLP_REQUIRE_BROWSER=1 to fail instead).
set -euo pipefail
log() { printf '[install_browser] %s\n' "$*"; }

for exe in "${E2EVLP_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [[ -n "$exe" && -x "$exe" ]]; then
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  log "no chromium and no apt-get: install chromium and set E2EVLP_CHROMIUM"
  exit 0
fi
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    log "no chromium; run as root: apt-get install -y chromium"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
log "installing Debian's chromium (about a minute)"
# A fresh image may have no package lists: update once, then retry.
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends chromium; then
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends chromium
fi
