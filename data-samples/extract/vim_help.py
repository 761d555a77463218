"""Vim help files (vim-runtime doc/*.txt) -> https://vimhelp.org/<file>.html, link bars removed."""
from __future__ import annotations

import re
from pathlib import Path

from textclean import normalize

VERSION = "2:9.0.1378-2+deb12u2"


def clean(help_text: str) -> str:
    """|tag| hyperlinks become plain words; the modeline at the end is Vim configuration, not text."""
    text = re.sub(r"\|([^|\s]+)\|", r"\1", help_text)
    text = re.sub(r"^\s*vim:.*:\s*$", "", text, flags=re.M)
    return normalize(text)


def documents(src: Path):
    root = src / "vim-runtime" / "usr/share/vim/vim90/doc"
    for page in sorted(root.glob("*.txt")):
        yield {
            "id": f"vimhelp/{page.stem}",
            "text": clean(page.read_text(encoding="utf-8", errors="replace")),
            "domain": "vim-help",
            "url": f"https://vimhelp.org/{page.name}.html",
            "source": "vimhelp.org",
            "meta": {"package": f"deb:vim-runtime@{VERSION}", "path": page.name, "licence": "OPL-1.0+ (Vim runtime/doc, per debian/copyright)"},
        }
