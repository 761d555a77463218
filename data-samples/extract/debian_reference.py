"""Debian Reference (debian-reference-en, DocBook HTML) -> one document per chapter."""
from __future__ import annotations

from pathlib import Path

from textclean import has_class, html_to_text

VERSION = "2.100"


def documents(src: Path):
    root = src / "debian-reference-en" / "usr/share/debian-reference"
    for page in sorted(root.glob("*.en.html")):
        if page.name == "index.en.html":  # table of contents only
            continue
        text = html_to_text(page.read_text(encoding="utf-8"),
                            root=has_class("chapter", "appendix", "preface"), skip=has_class("toc", "navheader", "navfooter"))
        yield {
            "id": f"debian-reference/{page.name[:-len('.en.html')]}",
            "text": text,
            "domain": "debian-docs",
            "url": f"https://www.debian.org/doc/manuals/debian-reference/{page.name}",
            "source": "www.debian.org",
            "meta": {"package": f"deb:debian-reference-en@{VERSION}", "path": page.name,
                     "licence": "GPL-2.0+ (Debian Reference, Osamu Aoki)"},
        }
