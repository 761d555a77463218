"""CPython 3.11 standard library source (libpython3.11-stdlib) -> code domain, GitHub 3.11 branch URLs."""
from __future__ import annotations

from pathlib import Path

from textclean import normalize

VERSION = "3.11.2-6+deb12u9"


def documents(src: Path):
    root = src / "libpython3.11-stdlib" / "usr/lib/python3.11"
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        # Debian-specific files and vendored/generated modules are not CPython's Lib/ tree.
        if rel.startswith(("_sysconfigdata", "sitecustomize", "dist-packages/", "config-")):
            continue
        text = normalize(path.read_text(encoding="utf-8", errors="replace"))
        if len(text) < 200:
            continue
        yield {
            "id": f"cpython/{rel}",
            "text": text,
            "domain": "python-code",
            "url": f"https://github.com/python/cpython/blob/3.11/Lib/{rel}",
            "source": "github.com",
            "meta": {"package": f"deb:libpython3.11-stdlib@{VERSION}", "path": f"Lib/{rel}", "licence": "PSF-2.0"},
        }
