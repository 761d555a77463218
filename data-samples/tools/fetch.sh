#!/usr/bin/env bash
# Fetch every source listed in sources.txt into $1/cache and unpack it into $1/src/<name>.
# Idempotent: an already unpacked source is kept. npm packages come via `npm pack`,
# Debian packages via `apt-get download` + `dpkg-deb -x` (nothing is installed into /).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="$1"
mkdir -p "$build/cache" "$build/src"
grep -v '^#' "$here/sources.txt" | while read -r kind name version; do
  [ -z "$kind" ] && continue
  dest="$build/src/${name//\//_}"
  [ -f "$dest/.done" ] && continue
  rm -rf "$dest"; mkdir -p "$dest"
  case "$kind" in
    npm)
      (cd "$build/cache" && npm pack --silent "$name@$version" >/dev/null 2>&1)
      tgz="$build/cache/$(echo "${name#@}" | tr / -)-$version.tgz"
      tar -xzf "$tgz" -C "$dest" ;;
    apt)
      (cd "$build/cache" && apt-get download -q "$name=$version" >/dev/null 2>&1)
      deb="$(ls "$build/cache/${name}_"*.deb | head -n1)"
      dpkg-deb -x "$deb" "$dest" ;;
    *) echo "sources.txt: unknown kind '$kind' for $name" >&2; exit 1 ;;
  esac
  touch "$dest/.done"
  echo "fetched $kind $name $version" >&2
done
