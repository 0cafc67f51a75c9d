from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from agents.tools import files
from agents.tools.base import ToolContext, ToolError
from config.schema import EpiloopConfig


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    return ToolContext("main", "agent:main:main", workspace, EpiloopConfig())


def run(tool: Any, ctx: ToolContext, **args: Any) -> str:
    return str(asyncio.run(tool.run(args, ctx)))


def refused(tool: Any, ctx: ToolContext, **args: Any) -> str:
    with pytest.raises(ToolError) as caught:
        run(tool, ctx, **args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_write_then_read_round_trips_text_in_a_new_folder(ctx: ToolContext) -> None:
    assert run(files.WriteTool(), ctx, path="notes/a.txt", content="héllo") == (
        "wrote 6 bytes to notes/a.txt"
    )
    assert run(files.ReadTool(), ctx, path="notes/a.txt") == "héllo"
    assert (ctx.workspace / "notes" / "a.txt").read_text() == "héllo"


def test_edit_replaces_text_that_occurs_exactly_once(ctx: ToolContext) -> None:
    (ctx.workspace / "a.txt").write_text("one two three")
    assert run(files.EditTool(), ctx, path="a.txt", old="two", new="2") == "edited a.txt"
    assert (ctx.workspace / "a.txt").read_text() == "one 2 three"


def test_edit_refuses_text_that_is_missing_or_ambiguous(ctx: ToolContext) -> None:
    (ctx.workspace / "a.txt").write_text("x x")
    assert "not found" in refused(files.EditTool(), ctx, path="a.txt", old="y", new="z")
    assert "occurs 2 times" in refused(files.EditTool(), ctx, path="a.txt", old="x", new="z")
    assert (ctx.workspace / "a.txt").read_text() == "x x"


def test_list_shows_folders_and_file_sizes(ctx: ToolContext) -> None:
    (ctx.workspace / "sub").mkdir()
    (ctx.workspace / "b.txt").write_text("abc")
    assert run(files.ListTool(), ctx) == "b.txt (3 bytes)\nsub/"
    assert run(files.ListTool(), ctx, path="sub") == "(empty)"


def test_parent_directory_paths_are_refused(ctx: ToolContext) -> None:
    (ctx.workspace.parent / "secret.txt").write_text("s")
    message = refused(files.ReadTool(), ctx, path="../secret.txt")
    assert "outside the workspace" in message
    assert "outside" in refused(files.WriteTool(), ctx, path="sub/../../x.txt", content="x")
    assert not (ctx.workspace.parent / "x.txt").exists()


def test_absolute_paths_outside_the_workspace_are_refused(ctx: ToolContext) -> None:
    assert "outside" in refused(files.ReadTool(), ctx, path="/etc/passwd")
    assert "outside" in refused(files.ListTool(), ctx, path="/")


def test_absolute_paths_inside_the_workspace_are_accepted(ctx: ToolContext) -> None:
    (ctx.workspace / "in.txt").write_text("ok")
    assert run(files.ReadTool(), ctx, path=str(ctx.workspace / "in.txt")) == "ok"


def test_symlinks_that_point_out_of_the_workspace_are_refused(ctx: ToolContext) -> None:
    outside = ctx.workspace.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    (ctx.workspace / "link").symlink_to(outside)
    (ctx.workspace / "file-link").symlink_to(outside / "secret.txt")
    assert "outside" in refused(files.ReadTool(), ctx, path="link/secret.txt")
    assert "outside" in refused(files.ReadTool(), ctx, path="file-link")
    assert "outside" in refused(files.WriteTool(), ctx, path="link/new.txt", content="x")
    assert "outside" in refused(files.ListTool(), ctx, path="link")
    assert not (outside / "new.txt").exists()


def test_files_over_the_read_cap_are_refused(ctx: ToolContext) -> None:
    (ctx.workspace / "big.bin").write_bytes(b"x" * (files.READ_MAX_BYTES + 1))
    assert "at most" in refused(files.ReadTool(), ctx, path="big.bin")


def test_content_over_the_write_cap_is_refused(ctx: ToolContext) -> None:
    big = "x" * (files.WRITE_MAX_BYTES + 1)
    assert "at most" in refused(files.WriteTool(), ctx, path="big.txt", content=big)
    assert not (ctx.workspace / "big.txt").exists()


def test_missing_files_and_wrong_argument_types_get_one_line_errors(ctx: ToolContext) -> None:
    assert refused(files.ReadTool(), ctx, path="nope.txt") == "nope.txt does not exist"
    assert refused(files.ReadTool(), ctx, path=3) == "`path` must be a string"
    assert "is a directory" in refused(files.ReadTool(), ctx, path=".")
