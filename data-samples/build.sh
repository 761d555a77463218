#!/usr/bin/env bash
# Rebuild the ResearchKit sample corpus from its public sources (see README.md).
#   data-samples/build.sh [small|large]     (default: small)
# small: ~6 MB of text, every domain capped at the same budget; committed as sample.parquet; plus 260
#        line-labelled documentation pages (ProX ground truth) committed as prox-lines.parquet.
# large: every document of every source and every labelled page (not committed), for GPU runs:
#        large.parquet and prox-lines-large.parquet.
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

python3 "$here/extract/prox_lines.py" "$build/src" "$build/prox-lines.jsonl" "$build/prox-lines-stats-$mode.md" "$mode"

if [ "$mode" = small ]; then
  cp "$build/stats-$mode.md" "$here/stats-small.md"
  cp "$build/prox-lines-stats-$mode.md" "$here/prox-lines-stats-small.md"
fi
suffix="$( [ "$mode" = small ] && echo "" || echo "-large" )"
rk() { dotnet run --project "$repo/lib/ResearchKit.Cli" -- "$@"; }
rk corpus import "$build/docs.jsonl" --out "$here/$( [ "$mode" = small ] && echo sample || echo large ).parquet"
rk corpus import "$build/prox-lines.jsonl" --out "$here/prox-lines$suffix.parquet"
