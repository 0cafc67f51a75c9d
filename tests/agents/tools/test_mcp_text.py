"""What the model sees of MCP tools: safe names, and results as text."""

from __future__ import annotations

import base64

from mcp.types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from agents.tools.mcp_text import result_text, tool_name


def test_a_tool_is_named_server__tool() -> None:
    assert tool_name("github", "create_issue") == "github__create_issue"


def test_characters_the_model_apis_refuse_become_underscores() -> None:
    assert tool_name("my.server", "read file/v2") == "my_server__read_file_v2"


def test_a_long_name_is_cut_to_64_characters_and_stays_distinct_and_stable() -> None:
    one = tool_name("s" * 40, "t" * 40 + "one")
    two = tool_name("s" * 40, "t" * 40 + "two")

    assert len(one) == 64 and len(two) == 64
    assert one != two
    assert one == tool_name("s" * 40, "t" * 40 + "one")


def test_a_name_already_taken_gets_a_hash_suffix() -> None:
    first = tool_name("a.b", "x")
    second = tool_name("a_b", "x", taken={first})

    assert first == "a_b__x"
    assert second.startswith("a_b__x_") and second != first


def test_text_blocks_are_joined_by_newlines() -> None:
    result = CallToolResult(content=[TextContent(text="one"), TextContent(text="two")])

    assert result_text(result) == "one\ntwo"


def test_images_audio_and_binary_resources_are_one_line_each() -> None:
    data = base64.b64encode(b"0123456789").decode()
    result = CallToolResult(
        content=[
            ImageContent(data=data, mime_type="image/png"),
            AudioContent(data=data, mime_type="audio/wav"),
            ResourceLink(uri="file:///tmp/report.pdf", name="report", mime_type="application/pdf"),
            EmbeddedResource(resource=BlobResourceContents(uri="file:///x.bin", blob=data)),
        ]
    )

    assert result_text(result).splitlines() == [
        "[image: image/png, 10 bytes not shown]",
        "[audio: audio/wav, 10 bytes not shown]",
        "[resource link: file:///tmp/report.pdf, application/pdf]",
        "[resource: file:///x.bin, 10 bytes not shown]",
    ]


def test_an_embedded_text_resource_keeps_its_text_under_a_header_line() -> None:
    resource = TextResourceContents(uri="file:///notes.md", mime_type="text/markdown", text="# Hi")
    result = CallToolResult(content=[EmbeddedResource(resource=resource)])

    assert result_text(result) == "[resource: file:///notes.md, text/markdown]\n# Hi"


def test_structured_content_is_the_text_when_there_are_no_blocks() -> None:
    result = CallToolResult(content=[], structured_content={"temperature": 21.5})

    assert result_text(result) == '{"temperature": 21.5}'
