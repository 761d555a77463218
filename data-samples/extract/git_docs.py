"""Git manual pages and guides (git-doc, AsciiDoc HTML) -> https://git-scm.com/docs/<name>."""
from __future__ import annotations

from pathlib import Path

from textclean import has_id, html_to_text, any_of

VERSION = "1:2.39.5-0+deb12u3"


def documents(src: Path):
    root = src / "git-doc" / "usr/share/doc/git-doc"
    # Only top-level pages: git-scm.com/docs/<name> serves exactly these (commands, gitX guides, user-manual).
    for page in sorted(root.glob("*.html")):
        name = page.name[: -len(".html")]
        if not (name.startswith("git") or name == "user-manual"):
            continue
        text = html_to_text(page.read_text(encoding="utf-8", errors="replace"),
                            root=lambda tag, attrs: tag == "body", skip=any_of(has_id("footer", "toc", "footnotes")))
        if len(text) < 200:
            continue
        yield {
            "id": f"git-docs/{name}",
            "text": text,
            "domain": "git-docs",
            "url": f"https://git-scm.com/docs/{name}",
            "source": "git-scm.com",
            "meta": {"package": f"deb:git-doc@{VERSION}", "path": page.name, "licence": "GPL-2.0 (Git documentation)"},
        }
