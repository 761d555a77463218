"""Line-labelled HTML documentation pages: ProX chunk-level ground truth that no model wrote.

Each Sphinx page is rendered to text *with* its navigation bars, sidebar, header and footer kept, and every output
line is labelled main or boilerplate from the element it came from:
  main        inside the page body: an element with role="main" or class "body" (Sphinx classic/pydoctheme
              `div.body`, sphinx_rtd_theme `div[role=main]`);
  boilerplate everything else (`div.related` bars, `div.sphinxsidebar`, `div.footer`, rtd's side menu and
              breadcrumbs, `header`/`nav`/`footer` elements, mobile menus), and any navigation element nested
              inside the body (`nav`, `header`, `footer`, role="navigation", class related/sphinxsidebar/footer).
A line is main when any of its visible characters came from main content. A blank line is boilerplate when the
nearest non-blank lines on both sides are boilerplate (or the document's edge), else main, so a boilerplate block
is one contiguous range. The labels are stored as 0-based inclusive line ranges of `text.split("\\n")`, e.g.
"0-11,87-95", in meta["boilerplate"].

Usage: python3 prox_lines.py SRC_DIR OUT_JSONL STATS_MD [small|large]
small: per manual, pages whose rendered text is at most 12,000 characters, seeded shuffle, first 130 pages.
large: every page of both manuals.
"""
from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from sphinx_docs import KERNEL_DOCS, PYTHON_DOCS, Manual, _NOT_CONTENT

SEED = 20240601
SMALL_PAGES_PER_MANUAL = 130
SMALL_MAX_CHARS = 12_000
MIN_MAIN_CHARS = 200

_BLOCK = {
    "p", "div", "section", "article", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "dt", "dd", "dl", "ul", "ol", "table", "tr", "pre", "blockquote", "title",
    "figure", "figcaption", "caption", "tbody", "thead", "nav", "header", "footer", "aside", "form",
}
_PARAGRAPH = {"p", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
# Never visible text. Unlike the sample corpus' renderer, nav/form/button are kept: they are the boilerplate.
_INVISIBLE = {"script", "style", "head", "noscript", "svg", "template"}
_BOILERPLATE_CLASSES = {"sphinxsidebar", "related", "footer", "mobile-nav", "wy-nav-side", "rst-footer-buttons"}
_MAIN, _BOILER = 1, 0
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def _classes(attrs: dict) -> set[str]:
    return set((attrs.get("class") or "").split())


def _is_main(tag: str, attrs: dict) -> bool:
    return attrs.get("role") == "main" or (tag == "div" and "body" in _classes(attrs))


def _is_boilerplate(tag: str, attrs: dict) -> bool:
    return (tag in ("nav", "header", "footer") or attrs.get("role") in ("navigation", "contentinfo", "banner")
            or bool(_classes(attrs) & _BOILERPLATE_CLASSES))


class _LabelledText(HTMLParser):
    """Visible text of a whole page as (text, label) pieces. Regions nest: each open element pushes the label its
    content gets, so an element closes back to its parent's label."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, int]] = []
        self.stack: list[tuple[str, int, bool]] = []   # (tag, label inside, invisible inside)
        self.pre = 0

    def _label(self) -> int:
        return self.stack[-1][1] if self.stack else _BOILER

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def _emit(self, text: str, label: int | None = None):
        if not self._hidden():
            self.pieces.append((text, self._label() if label is None else label))

    def handle_starttag(self, tag, attrs_list):
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag in _VOID:
            if tag in ("br", "hr"):
                self._emit("\n")
            return
        label = self._label()
        if _is_boilerplate(tag, attrs):
            label = _BOILER
        elif _is_main(tag, attrs):
            label = _MAIN
        hidden = self._hidden() or tag in _INVISIBLE or "headerlink" in _classes(attrs)
        self.stack.append((tag, label, hidden))
        if tag == "pre":
            self.pre += 1
        if tag in _BLOCK:
            self._emit("\n\n" if tag in _PARAGRAPH else "\n")
        if tag == "li":
            self._emit("- ")
        elif tag in ("td", "th"):
            self._emit(" ")

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        # Close the innermost open element of this name (and anything left open inside it: unclosed <p>/<li>).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                if tag in _BLOCK:
                    self._emit("\n\n" if tag in _PARAGRAPH else "\n")
                if tag == "pre":
                    self.pre = max(0, self.pre - 1)
                del self.stack[i:]
                return

    def handle_data(self, data):
        self._emit(data if self.pre else re.sub(r"\s+", " ", data))


def render(markup: str) -> tuple[str, list[int]]:
    """Page text and one label per line of text.split("\\n"), with the sample corpus' normalisation (NFC, no
    control characters, no trailing spaces, at most one blank line in a row, no blank lines at either end)."""
    parser = _LabelledText()
    parser.feed(markup)
    parser.close()
    lines: list[list] = [["", _BOILER]]   # [text, label]: label is main once any visible main character lands
    for text, label in parser.pieces:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", "    ")
        text = _CONTROL.sub("", text)
        for k, part in enumerate(text.split("\n")):
            if k:
                lines.append(["", _BOILER])
            lines[-1][0] += part
            if label == _MAIN and part.strip():
                lines[-1][1] = _MAIN
    lines = [[unicodedata.normalize("NFC", t).rstrip(), lab] for t, lab in lines]
    # "- " alone on a line followed by its item's text (<li><p>...) joins that line, as the corpus renderer does.
    merged: list[list] = []
    i = 0
    while i < len(lines):
        t, lab = lines[i]
        if re.fullmatch(r" *- *", t):
            j = i + 1
            while j < len(lines) and not lines[j][0]:
                j += 1
            if j < len(lines):
                indent = t[: len(t) - len(t.lstrip())]
                merged.append([indent + "- " + lines[j][0].lstrip(), lines[j][1]])
                i = j + 1
                continue
        merged.append([t, lab])
        i += 1
    # At most one blank line in a row; none at either end.
    out: list[list] = []
    for t, lab in merged:
        if not t and (not out or not out[-1][0]):
            continue
        out.append([t, lab])
    while out and not out[-1][0]:
        out.pop()
    labels = [lab for _, lab in out]
    for k, (t, _) in enumerate(out):
        if t:
            continue
        before = next((labels[x] for x in range(k - 1, -1, -1) if out[x][0]), _BOILER)
        after = next((labels[x] for x in range(k + 1, len(out)) if out[x][0]), _BOILER)
        labels[k] = _MAIN if _MAIN in (before, after) else _BOILER
    return "\n".join(t for t, _ in out), labels


def ranges(labels: list[int], value: int) -> str:
    """0-based inclusive ranges of the lines holding `value`, as "a-b,c-d" (a single line is "a-a")."""
    spans, start = [], None
    for k, lab in enumerate(labels + [None]):
        if lab == value and start is None:
            start = k
        elif lab != value and start is not None:
            spans.append(f"{start}-{k - 1}")
            start = None
    return ",".join(spans)


def pages(manual: Manual, src: Path):
    root = src / manual.package / manual.html_dir
    for page in sorted(root.rglob("*.html")):
        rel = page.relative_to(root).as_posix()
        if page.name in _NOT_CONTENT or rel.startswith(manual.exclude):
            continue
        text, labels = render(page.read_text(encoding="utf-8", errors="replace"))
        lines = text.split("\n")
        main_chars = sum(len(t) for t, lab in zip(lines, labels) if lab == _MAIN)
        if main_chars < MIN_MAIN_CHARS or _MAIN not in labels or _BOILER not in labels:
            continue
        stem = rel[: -len(".html")]
        yield {
            "id": f"{manual.domain}/{stem}#page",
            "text": text,
            "domain": manual.domain,
            "url": f"{manual.url_base}{stem}{manual.url_suffix}",
            "source": manual.source,
            "meta": {"package": f"deb:{manual.package}@{manual.version}", "path": rel, "licence": manual.licence,
                     "boilerplate": ranges(labels, _BOILER), "lines": str(len(lines)),
                     "boilerplate_lines": str(labels.count(_BOILER))},
        }


def sample(domain: str, docs: list[dict], small: bool) -> list[dict]:
    if not small:
        return docs
    order = sorted((d for d in docs if len(d["text"]) <= SMALL_MAX_CHARS), key=lambda d: d["id"])
    random.Random(f"{SEED}:prox-lines:{domain}").shuffle(order)
    return order[:SMALL_PAGES_PER_MANUAL]


def stats_table(docs: list[dict]) -> str:
    rows = ["| domain | pages | lines | boilerplate lines | characters | boilerplate characters |",
            "|---|---:|---:|---:|---:|---:|"]
    total = [0, 0, 0, 0, 0]
    for domain in sorted({d["domain"] for d in docs}):
        ds = [d for d in docs if d["domain"] == domain]
        lines = sum(int(d["meta"]["lines"]) for d in ds)
        boiler = sum(int(d["meta"]["boilerplate_lines"]) for d in ds)
        chars = sum(len(d["text"]) for d in ds)
        bchars = sum(_range_chars(d) for d in ds)
        rows.append(f"| {domain} | {len(ds)} | {lines:,} | {boiler:,} | {chars:,} | {bchars:,} |")
        total = [a + b for a, b in zip(total, [len(ds), lines, boiler, chars, bchars])]
    rows.append(f"| **total** | {total[0]} | {total[1]:,} | {total[2]:,} | {total[3]:,} | {total[4]:,} |")
    return "\n".join(rows) + "\n"


def _range_chars(doc: dict) -> int:
    lines = doc["text"].split("\n")
    n = 0
    for span in filter(None, doc["meta"]["boilerplate"].split(",")):
        a, b = map(int, span.split("-"))
        n += sum(len(lines[k]) + 1 for k in range(a, b + 1))
    return n


def main(src: Path, out: Path, stats: Path, mode: str) -> None:
    docs = []
    for manual in (PYTHON_DOCS, KERNEL_DOCS):
        all_pages = list(pages(manual, src))
        taken = sample(manual.domain, all_pages, mode == "small")
        print(f"  prox_lines {manual.domain}: {len(all_pages)} pages, {len(taken)} taken", file=sys.stderr)
        docs.extend(taken)
    docs.sort(key=lambda d: d["id"])
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for d in docs:
            record = {"id": d["id"], "text": d["text"], "domain": d["domain"], "url": d["url"], "source": d["source"],
                      "meta": {k: str(v) for k, v in sorted(d["meta"].items())}}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(out)
    stats.write_text(stats_table(docs), encoding="utf-8")
    print(stats_table(docs), file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[4] not in ("small", "large"):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
