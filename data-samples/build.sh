#!/usr/bin/env bash
# Rebuild the ResearchKit sample corpus from its public sources (see README.md).
#   data-samples/build.sh [small|large]     (default: small)
# small: ~6 MB of text, every domain capped at the same budget; committed as sample.parquet.
# large: every document of every source (not committed), for GPU runs.
# Needs: apt-get (Debian 12 sources), npm, python3 (stdlib only), groff, pod2text, zstd, dotnet.
set -euo pipefail
mode="${1:-small}"
case "$mode" in small|large) ;; *) echo "usage: $0 [small|large]" >&2; exit 2 ;; esac
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="$here/.build"
mkdir -p "$build"

"$here/tools/fetch.sh" "$build"
python3 "$here/extract/build.py" "$build/src" "$build/docs.jsonl" "$build/stats-$mode.md" "$mode"

if [ "$mode" = small ]; then cp "$build/stats-$mode.md" "$here/stats-small.md"; fi
dotnet run --project "$repo/lib/ResearchKit.Cli" -- corpus import "$build/docs.jsonl" --out "$here/$( [ "$mode" = small ] && echo sample || echo large ).parquet"
