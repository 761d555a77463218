"""Sphinx-built HTML manuals (Python 3.11 docs, Linux kernel 6.1 docs, Debian policy and developers reference)."""
from __future__ import annotations

from pathlib import Path

from textclean import any_of, has_class, html_to_text

# Only the page body, without the "¶" permalinks, the "Navigation"/"Table of contents" boxes.
_ROOT = lambda tag, attrs: tag == "div" and attrs.get("role") == "main"
_SKIP = any_of(has_class("headerlink", "sphinxsidebar", "related", "footer", "toctree-wrapper"))
_NOT_CONTENT = {"genindex.html", "search.html", "py-modindex.html", "index.html", "contents.html", "copyright.html"}


class Manual:
    def __init__(self, domain: str, package: str, version: str, html_dir: str, url_base: str, source: str,
                 licence: str, url_suffix: str = ".html", exclude: tuple[str, ...] = ()):
        self.domain, self.package, self.version, self.html_dir = domain, package, version, html_dir
        self.url_base, self.source, self.licence, self.url_suffix = url_base, source, licence, url_suffix
        self.exclude = ("_", "whatsnew/changelog") + exclude

    def documents(self, src: Path):
        root = src / self.package / self.html_dir
        for page in sorted(root.rglob("*.html")):
            rel = page.relative_to(root).as_posix()
            if page.name in _NOT_CONTENT or rel.startswith(self.exclude):
                continue
            text = html_to_text(page.read_text(encoding="utf-8", errors="replace"), root=_ROOT, skip=_SKIP)
            if len(text) < 200:
                continue
            stem = rel[: -len(".html")]
            yield {
                "id": f"{self.domain}/{stem}",
                "text": text,
                "domain": self.domain,
                "url": f"{self.url_base}{stem}{self.url_suffix}",
                "source": self.source,
                "meta": {"package": f"deb:{self.package}@{self.version}", "path": rel, "licence": self.licence},
            }


PYTHON_DOCS = Manual("python-docs", "python3.11-doc", "3.11.2-6+deb12u9", "usr/share/doc/python3.11/html",
                     "https://docs.python.org/3.11/", "docs.python.org", "PSF-2.0 (Python documentation)")
KERNEL_DOCS = Manual("linux-docs", "linux-doc-6.1", "6.1.192-2", "usr/share/doc/linux-doc-6.1/html",
                     "https://www.kernel.org/doc/html/v6.1/", "www.kernel.org", "GPL-2.0 (Linux kernel documentation)",
                     exclude=("translations/",))  # English corpus
DEBIAN_POLICY = Manual("debian-docs", "debian-policy", "4.6.2.0", "usr/share/doc/debian-policy/policy.html",
                       "https://www.debian.org/doc/debian-policy/", "www.debian.org", "GPL-2.0+ (Debian Policy Manual)")
DEVELOPERS_REFERENCE = Manual("debian-docs", "developers-reference", "12.18", "usr/share/developers-reference",
                              "https://www.debian.org/doc/manuals/developers-reference/", "www.debian.org",
                              "GPL-2 (Debian Developer's Reference)", url_suffix=".en.html")
