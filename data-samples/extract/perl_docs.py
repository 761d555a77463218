"""Perl core documentation (perl-doc, POD) rendered with pod2text -> https://perldoc.perl.org/5.36.0/<name>."""
from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from textclean import normalize

VERSION = "5.36.0-7+deb12u4"


def render(pod: Path) -> str:
    rendered = subprocess.run(["pod2text", "--utf8", "-w", "80", str(pod)], capture_output=True, check=True)
    return normalize(rendered.stdout.decode("utf-8", errors="replace"))


def documents(src: Path):
    root = src / "perl-doc" / "usr/share/perl/5.36.0/pod"
    pods = sorted(root.glob("*.pod"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(render, pods))
    for pod, text in zip(pods, texts):
        yield {
            "id": f"perldoc/{pod.stem}",
            "text": text,
            "domain": "perl-docs",
            "url": f"https://perldoc.perl.org/5.36.0/{pod.stem}",
            "source": "perldoc.perl.org",
            "meta": {"package": f"deb:perl-doc@{VERSION}", "path": pod.name,
                     "licence": "GPL-1+ or Artistic (Perl documentation)"},
        }
