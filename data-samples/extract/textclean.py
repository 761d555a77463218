"""Plain-text helpers shared by every source: HTML to text, whitespace normalisation, splitting."""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from typing import Callable

# Elements that end a line of text when they open or close.
_BLOCK = {
    "p", "div", "section", "article", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "dt", "dd", "dl", "ul", "ol", "table", "tr", "pre", "blockquote", "title",
    "figure", "figcaption", "caption", "tbody", "thead",
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
_ALWAYS_SKIP = {"script", "style", "head", "noscript", "svg", "button", "form", "nav", "template"}

Matcher = Callable[[str, dict], bool]


def has_class(*names: str) -> Matcher:
    return lambda tag, attrs: bool(set((attrs.get("class") or "").split()) & set(names))


def has_id(*ids: str) -> Matcher:
    return lambda tag, attrs: attrs.get("id") in ids


def any_of(*matchers: Matcher) -> Matcher:
    return lambda tag, attrs: any(m(tag, attrs) for m in matchers)


class _TextExtractor(HTMLParser):
    """Collects the text inside the first element matching `root`, leaving out elements matching `skip`.

    Nesting is tracked per tag name (an element ends at the close tag that balances its own name),
    which is robust to HTML's unclosed <p>/<li> because roots and skipped regions are divs/spans/etc.
    """

    def __init__(self, root: Matcher | None, skip: Matcher | None):
        super().__init__(convert_charrefs=True)
        self.root, self.skip = root, skip
        self.out: list[str] = []
        self.in_root = root is None
        self.root_done = False
        self.root_tag, self.root_depth = "", 0
        self.skip_tag, self.skip_depth = "", 0
        self.pre = 0

    def handle_starttag(self, tag, attrs_list):
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag in _VOID:
            if tag in ("br", "hr") and self._live():
                self.out.append("\n")
            return
        if not self.in_root:
            if not self.root_done and self.root(tag, attrs):
                self.in_root, self.root_tag, self.root_depth = True, tag, 1
            return
        if self.root_tag == tag:
            self.root_depth += 1
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if tag in _ALWAYS_SKIP or (self.skip and self.skip(tag, attrs)):
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag == "pre":
            self.pre += 1
        if tag in _BLOCK:
            self.out.append("\n\n" if tag in ("p", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote") else "\n")
        if tag == "li":
            self.out.append("- ")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_endtag(self, tag):
        if not self.in_root or tag in _VOID:
            return
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            if self.root_tag != tag:
                return
        if self.root_tag == tag:
            self.root_depth -= 1
            if self.root_depth == 0:
                self.in_root, self.root_done = False, True
                return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCK:
            self.out.append("\n\n" if tag in ("p", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote") else "\n")

    def handle_data(self, data):
        if not self._live():
            return
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))

    def _live(self) -> bool:
        return self.in_root and not self.skip_depth


def html_to_text(markup: str, root: Matcher | None = None, skip: Matcher | None = None) -> str:
    """Visible text of an HTML page (or of its first `root` element), block elements as line breaks."""
    parser = _TextExtractor(root, skip)
    parser.feed(markup)
    parser.close()
    text = normalize("".join(parser.out))
    # <li><p>text</p></li> renders as "- " then a paragraph break: keep the bullet on the text's line.
    return re.sub(r"^( *)- *\n+ *(?=\S)", r"\1- ", text, flags=re.M)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def normalize(text: str) -> str:
    """NFC, no control characters, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", "    ")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n").rstrip()


def split_paragraphs(text: str, max_chars: int) -> list[str]:
    """Cut a long text into parts of at most ~max_chars at blank-line boundaries (never mid-paragraph
    unless one paragraph alone is longer, then at a line boundary)."""
    if len(text) <= max_chars:
        return [text]
    parts, current = [], ""
    for para in _pieces(text, max_chars):
        if current and len(current) + 2 + len(para) > max_chars:
            parts.append(current)
            current = para
        else:
            current = f"{current}\n\n{para}" if current else para
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, max_chars: int):
    for para in text.split("\n\n"):
        if len(para) <= max_chars:
            yield para
            continue
        chunk = ""
        for line in para.split("\n"):
            if chunk and len(chunk) + 1 + len(line) > max_chars:
                yield chunk
                chunk = line
            else:
                chunk = f"{chunk}\n{line}" if chunk else line
        if chunk:
            yield chunk
