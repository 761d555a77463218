#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK. Idempotent.
set -euo pipefail
