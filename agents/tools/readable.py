"""Readable text from a fetched body: the main content of an HTML page as Markdown
(trafilatura drops menus, footers and scripts), other text as it came."""

from __future__ import annotations

import html
import re

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "application/x-ndjson",
        "application/yaml",
        "application/x-yaml",
        "application/toml",
        "application/sql",
        "application/graphql",
    }
)


def kind(content_type: str, head: bytes) -> str | None:
    """ "html", "text", or None for a body that is not text (an image, a PDF, a zip)."""
    mime = content_type.partition(";")[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith(("+json", "+xml")):
        return "text"
    if mime and mime != "application/octet-stream":
        return None
    # No useful type: look at the bytes.
    start = head.lstrip()[:15].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    return None if b"\x00" in head[:1024] else "text"


def decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def title(body: bytes) -> str:
    found = _TITLE.search(body[:65536])
    if found is None:
        return ""
    raw = found.group(1).decode("utf-8", errors="replace")
    return " ".join(html.unescape(raw).split())


def html_text(body: bytes, charset: str | None, url: str) -> str:
    """The page's main content as Markdown. Without a charset in the headers trafilatura
    gets the bytes and reads the page's own `<meta charset>`. CPU-bound: run it in a
    thread."""
    import trafilatura  # 15 MB and 0.2 s: loaded on the first HTML page, not at start-up

    source: bytes | str = decode(body, charset) if charset else body
    text = trafilatura.extract(
        source, url=url, output_format="markdown", include_tables=True, favor_recall=True
    )
    if not text:  # too little for the extractor to call anything "content"
        text = trafilatura.html2txt(source)
    return str(text or "").strip()
