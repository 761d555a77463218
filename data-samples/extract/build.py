"""Build the ResearchKit sample corpus: every source -> documents -> split -> per-domain sample -> docs.jsonl + stats.

Usage: python3 build.py SRC_DIR OUT_JSONL STATS_MD [small|large]
Deterministic: sources are read in sorted order and sampling uses a fixed seed per domain.
"""
from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import brown
import cpython_code
import debian_reference
import git_docs
import manpages
import perl_docs
import spam
import vim_help
from sphinx_docs import DEBIAN_POLICY, DEVELOPERS_REFERENCE, KERNEL_DOCS, PYTHON_DOCS
from textclean import split_paragraphs

SOURCES = [brown.documents, spam.documents, manpages.documents, PYTHON_DOCS.documents, cpython_code.documents,
           KERNEL_DOCS.documents, perl_docs.documents, git_docs.documents, vim_help.documents,
           debian_reference.documents, DEBIAN_POLICY.documents, DEVELOPERS_REFERENCE.documents]

MAX_DOC_CHARS = 16_000          # longer documents are split at paragraph boundaries (same URL, id suffix #pN)
SMALL_DOMAIN_CHARS = 420_000    # per-domain text budget of the committed sample
SEED = 20240601


def split_long(doc: dict) -> list[dict]:
    parts = split_paragraphs(doc["text"], MAX_DOC_CHARS)
    if len(parts) == 1:
        return [doc]
    return [dict(doc, id=f"{doc['id']}#p{i + 1}", text=part, meta=dict(doc["meta"], part=f"{i + 1}/{len(parts)}"))
            for i, part in enumerate(parts)]


def sample_domain(domain: str, docs: list[dict], budget: int | None) -> list[dict]:
    """Seeded shuffle, then take documents until the domain's character budget is used (all when budget is None)."""
    if budget is None:
        return docs
    order = sorted(docs, key=lambda d: d["id"])
    random.Random(f"{SEED}:{domain}").shuffle(order)
    taken, used = [], 0
    for doc in order:
        if used >= budget:
            break
        taken.append(doc)
        used += len(doc["text"])
    return taken


def stats_table(docs: list[dict]) -> str:
    by_domain: dict[str, list[dict]] = defaultdict(list)
    for d in docs:
        by_domain[d["domain"]].append(d)
    rows = ["| domain | documents | characters | mean chars/doc | with URL | sources |", "|---|---:|---:|---:|---:|---:|"]
    for domain in sorted(by_domain):
        ds = by_domain[domain]
        chars = sum(len(d["text"]) for d in ds)
        rows.append(f"| {domain} | {len(ds)} | {chars:,} | {chars // len(ds):,} | "
                    f"{sum(1 for d in ds if d['url'])} | {len({d['source'] for d in ds})} |")
    total = sum(len(d["text"]) for d in docs)
    rows.append(f"| **total** | {len(docs)} | {total:,} | {total // max(1, len(docs)):,} | "
                f"{sum(1 for d in docs if d['url'])} | {len({d['source'] for d in docs})} |")
    return "\n".join(rows) + "\n"


def main(src: Path, out: Path, stats: Path, mode: str) -> None:
    budget = SMALL_DOMAIN_CHARS if mode == "small" else None
    by_domain: dict[str, list[dict]] = defaultdict(list)
    for source in SOURCES:
        count = 0
        for doc in source(src):
            if not doc["text"].strip():
                continue
            for part in split_long(doc):
                by_domain[part["domain"]].append(part)
                count += 1
        print(f"  {source.__module__}.{source.__qualname__}: {count} documents", file=sys.stderr)
    docs = [d for domain in sorted(by_domain) for d in sample_domain(domain, by_domain[domain], budget)]
    docs.sort(key=lambda d: d["id"])
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)), "duplicate document ids"
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for d in docs:
            record = {"id": d["id"], "text": d["text"], "domain": d["domain"], "url": d["url"],
                      "source": d["source"], "meta": {k: str(v) for k, v in sorted(d["meta"].items())}}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(out)
    stats.write_text(stats_table(docs), encoding="utf-8")
    print(stats_table(docs), file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[4] not in ("small", "large"):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
