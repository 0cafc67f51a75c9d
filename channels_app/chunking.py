"""Split a reply into messages of at most `limit` characters without breaking Markdown.

Break points, best first: a paragraph break, a line break, then a space, all outside code
fences; only when a fence is too long for one message is it broken at a line inside it,
and then the chunk closes the fence (```) and the next one reopens it with the same
language tag, so every chunk renders as valid Markdown. A chunk is filled to at least
half the limit before a weaker break is preferred to a stronger one. Lines longer than a
whole message are cut hard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


@dataclass
class _Line:
    start: int  # offset of the line's first character in the text
    opener: str | None  # the fence opening line this line sits in (None: outside a fence)


def _scan(text: str) -> list[_Line]:
    """The fence state at the start of every line."""
    lines: list[_Line] = []
    opener: str | None = None
    marker = ""
    pos = 0
    for raw in text.split("\n"):
        lines.append(_Line(pos, opener))
        m = _FENCE.match(raw)
        if m:
            fence, info = m.group(1), m.group(2)
            if opener is None:
                opener, marker = raw.strip(), fence
            elif fence[0] == marker[0] and len(fence) >= len(marker) and not info.strip():
                opener, marker = None, ""
        pos += len(raw) + 1
    return lines


def _closer(opener: str) -> str:
    m = _FENCE.match(opener)
    return m.group(1) if m else "```"


class _Splitter:
    def __init__(self, text: str, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.lines = _scan(text)
        self.starts = [line.start for line in self.lines]
        self.line_starts = set(self.starts)

    def state_at(self, pos: int) -> str | None:
        """Fence state at offset `pos` (the state of the line `pos` falls in)."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return self.lines[lo].opener

    def chunk(self, start: int, end: int) -> str | None:
        """The message for text[start:end], with fence reopen/close, if it fits."""
        opened = self.state_at(start)
        prefix = opened + "\n" if opened else ""
        body = self.text[start:end].rstrip()
        if not body.strip():
            return None
        inside = self.state_at(end) if end < len(self.text) else None
        suffix = "\n" + _closer(inside) if inside else ""
        piece = prefix + body + suffix
        return piece if len(piece) <= self.limit else None

    def candidates(self, start: int, kind: str) -> list[int]:
        """Break offsets of `kind` after `start` within reach, latest first."""
        window_end = min(len(self.text), start + self.limit + 1)
        window = self.text[start:window_end]
        found: list[int]
        if kind == "para":
            found = [start + m.end() for m in re.finditer(r"\n\s*\n", window)]
        elif kind == "line":
            found = [start + m.end() for m in re.finditer(r"\n", window)]
        else:
            found = [start + m.end() for m in re.finditer(r"[ \t]+", window)]
        return sorted(found, reverse=True)

    def next_break(self, start: int) -> tuple[int, str]:
        floor = start + self.limit // 2
        plans = [
            ("para", False, floor),
            ("line", False, floor),
            ("line", True, floor),
            ("para", False, start),
            ("line", False, start),
            ("line", True, start),
            ("word", False, start),
            ("word", True, start),
        ]
        for kind, inside, minimum in plans:
            for pos in self.candidates(start, kind):
                if pos <= minimum:
                    break
                if (self.state_at(pos) is not None) != inside:
                    continue
                if inside and self._reopens_empty(pos):
                    continue
                piece = self.chunk(start, pos)
                if piece is not None:
                    return pos, piece
        return self.hard_cut(start)

    def _reopens_empty(self, pos: int) -> bool:
        """True if `pos` starts the fence's closing line (closing+reopening is pointless)."""
        end = self.text.find("\n", pos)
        line = self.text[pos : end if end >= 0 else len(self.text)]
        return bool(_FENCE.match(line))

    def hard_cut(self, start: int) -> tuple[int, str]:
        pos = min(len(self.text), start + self.limit)
        while pos > start + 1:
            piece = self.chunk(start, pos)
            if piece is not None:
                return pos, piece
            pos -= 1
        raise ValueError(f"limit {self.limit} is too small to carry a code fence")


def split_reply(text: str, limit: int = 2000) -> list[str]:
    """`text` as a list of messages, each at most `limit` characters (see module doc)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.replace("\r\n", "\n").rstrip()
    if not text.strip():
        return []
    if len(text) <= limit:
        return [text]
    splitter = _Splitter(text, limit)
    chunks: list[str] = []
    start = len(text) - len(text.lstrip("\n"))
    while start < len(text):
        last = splitter.chunk(start, len(text))
        if last is not None:
            chunks.append(last)
            break
        pos, piece = splitter.next_break(start)
        chunks.append(piece)
        start = pos
        # Skip the whitespace the break consumed, but never a fence line's indentation.
        while start < len(text) and text[start] in " \t\n":
            if text[start] == "\n":
                start += 1
                continue
            if splitter.state_at(start) is None and start not in splitter.line_starts:
                start += 1
                continue
            break
    return chunks
