"""Linux man-pages project (Debian manpages, manpages-dev) -> groff-rendered plain text."""
from __future__ import annotations

import gzip
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from textclean import normalize

PACKAGES = {"manpages": "6.03-2", "manpages-dev": "6.03-2"}


def render(page: Path) -> str:
    """groff with tbl, UTF-8 output, no bold/underline overstrikes; drop the running header and footer lines."""
    roff = gzip.decompress(page.read_bytes())
    result = subprocess.run(["groff", "-t", "-man", "-Tutf8", "-P-cbou", "-rLL=80n"],
                            input=roff, capture_output=True, check=True)
    lines = result.stdout.decode("utf-8", errors="replace").strip("\n").split("\n")
    return normalize("\n".join(lines[1:-1]))


def documents(src: Path):
    pages = []
    for package in PACKAGES:
        for page in sorted((src / package / "usr/share/man").glob("man*/*.gz")):
            # Symlinks and `.so` stubs are aliases of another page: skip them, the real page is listed too.
            if page.is_symlink() or gzip.decompress(page.read_bytes())[:4] == b".so ":
                continue
            pages.append((package, page))
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = pool.map(lambda item: render(item[1]), pages)
        for (package, page), text in zip(pages, texts):
            name, section = page.name[:-3].rsplit(".", 1)
            yield {
                "id": f"man7/{name}.{section}",
                "text": text,
                "domain": "man-pages",
                "url": f"https://man7.org/linux/man-pages/man{section[0]}/{name}.{section}.html",
                "source": "man7.org",
                "meta": {"package": f"deb:{package}@{PACKAGES[package]}", "section": section,
                         "licence": "Linux man-pages licences (verbatim, GPL, BSD, MIT per page; see /usr/share/doc/manpages/copyright)"},
            }
