"""What the model sees of MCP tools: their names, and their results as text."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp.types import CallToolResult, ContentBlock

MAX_NAME = 64  # what the model APIs accept for a tool name
_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def tool_name(server: str, tool: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """`<server>__<tool>` made safe for the model APIs ([a-zA-Z0-9_-], at most 64 chars).
    A name that has to be cut, or that is already `taken`, ends in a short hash of the
    original so that it stays stable from turn to turn and distinct."""
    raw = f"{server}__{tool}"
    name = safe_name(raw)
    if len(name) > MAX_NAME or name in taken:
        digest = hashlib.sha1(raw.encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}_{digest}"
    return name


def safe_name(text: str) -> str:
    """`text` with every character outside [a-zA-Z0-9_-] replaced by `_`."""
    return _UNSAFE.sub("_", text)


def result_text(result: CallToolResult) -> str:
    """The text blocks as they are; images, audio and resources as one line each; the
    structured content when there is nothing else."""
    parts = [_block_text(block) for block in result.content]
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(parts)


def _block_text(block: ContentBlock) -> str:
    from mcp.types import (
        AudioContent,
        EmbeddedResource,
        ImageContent,
        ResourceLink,
        TextContent,
        TextResourceContents,
    )

    if isinstance(block, TextContent):
        return block.text
    if isinstance(block, ImageContent | AudioContent):
        kind = "image" if isinstance(block, ImageContent) else "audio"
        return f"[{kind}: {block.mime_type}, {_size(block.data)} not shown]"
    if isinstance(block, ResourceLink):
        return f"[resource link: {block.uri}{_mime(block.mime_type)}]"
    if isinstance(block, EmbeddedResource):
        res = block.resource
        if isinstance(res, TextResourceContents):
            return f"[resource: {res.uri}{_mime(res.mime_type)}]\n{res.text}"
        return f"[resource: {res.uri}{_mime(res.mime_type)}, {_size(res.blob)} not shown]"
    return f"[{getattr(block, 'type', 'content')} not shown]"


def _size(data: str) -> str:
    try:
        count = len(base64.b64decode(data, validate=False))
    except ValueError:
        count = len(data)
    return f"{count} bytes"


def _mime(mime: str | None) -> str:
    return f", {mime}" if mime else ""
