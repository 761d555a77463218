#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK. Idempotent.
set -euo pipefail
sudo=$([ "$(id -u)" = 0 ] || echo sudo)
updated=

apt_install() {
    [ -n "$updated" ] || { $sudo apt-get update -qq; updated=1; }
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Chromium for the notebook/report browser tests (Playwright drives it via ExecutablePath; no `playwright install`).
if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium
fi

# Slurm and munge for the real job-array test (tests/ResearchKit.Tests/Cli/SlurmArrayTests.cs), which starts its own
# munged, slurmctld and slurmd. Optional: where they cannot be installed the test skips and says why.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
        apt_install slurm-wlm munge || echo "install.sh: slurm-wlm and munge could not be installed; the Slurm array test will be skipped"
    fi
    if command -v munged >/dev/null 2>&1 && [ ! -s /etc/munge/munge.key ]; then
        install -d -o munge -g munge -m 0700 /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
        chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
    fi
fi
