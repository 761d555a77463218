#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK. Idempotent.
set -euo pipefail

# Chromium for the notebook/report browser tests (Playwright drives it via ExecutablePath; no `playwright install`).
if ! command -v chromium >/dev/null 2>&1; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
