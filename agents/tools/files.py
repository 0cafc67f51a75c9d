"""`read`, `write`, `edit` and `list`: files in the agent's workspace, and nowhere else.

Every path is resolved (symlinks included) before use and must stay inside the resolved
workspace, so `..`, absolute paths elsewhere and symlinks pointing out are all refused.
"""

from __future__ import annotations

import os
from pathlib import Path

from agents.tools.base import ToolContext, ToolError
from config.jsontypes import JsonObject

READ_MAX_BYTES = 256 * 1024
WRITE_MAX_BYTES = 1024 * 1024
LIST_MAX_ENTRIES = 500


def _text_arg(args: JsonObject, name: str, *, required: bool = True) -> str:
    value = args.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ToolError(f"`{name}` must be a string")
    return value


def resolve(ctx: ToolContext, raw: str) -> Path:
    """The path inside the workspace that `raw` names (ToolError when it leaves it)."""
    root = ctx.workspace.resolve()
    if "\x00" in raw:
        raise ToolError("the path contains a NUL character")
    candidate = Path(raw.strip() or ".").expanduser()
    target = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if target != root and root not in target.parents:
        raise ToolError(f"{raw!r} is outside the workspace; use a path inside {root}")
    return target


def _shown(ctx: ToolContext, path: Path) -> str:
    rel = path.relative_to(ctx.workspace.resolve())
    return str(rel) if str(rel) != "." else "."


def _schema(**props: JsonObject) -> JsonObject:
    return {"type": "object", "properties": props, "required": list(props)}


PATH = {"type": "string", "description": "relative to the workspace"}


class ReadTool:
    name = "read"
    group = "fs"
    description = "Read a text file from your workspace (at most 256 KB)."

    def input_schema(self) -> JsonObject:
        return _schema(path=PATH)

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        path = resolve(ctx, _text_arg(args, "path"))
        if path.is_dir():
            raise ToolError(f"{_shown(ctx, path)} is a directory; use list")
        try:
            size = path.stat().st_size
            if size > READ_MAX_BYTES:
                raise ToolError(
                    f"{_shown(ctx, path)} is {size} bytes; read reads at most {READ_MAX_BYTES}"
                )
            return path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            raise ToolError(f"{_shown(ctx, path)} does not exist") from None
        except OSError as exc:
            raise ToolError(f"cannot read {_shown(ctx, path)}: {exc.strerror}") from None


def _write(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if len(data) > WRITE_MAX_BYTES:
        raise ToolError(f"the content is {len(data)} bytes; write takes at most {WRITE_MAX_BYTES}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class WriteTool:
    name = "write"
    group = "fs"
    description = "Create or overwrite a text file in your workspace (parent folders are created)."

    def input_schema(self) -> JsonObject:
        return _schema(path=PATH, content={"type": "string"})

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        path = resolve(ctx, _text_arg(args, "path"))
        content = _text_arg(args, "content")
        if path.is_dir():
            raise ToolError(f"{_shown(ctx, path)} is a directory")
        try:
            _write(path, content)
        except OSError as exc:
            raise ToolError(f"cannot write {_shown(ctx, path)}: {exc.strerror}") from None
        return f"wrote {len(content.encode('utf-8'))} bytes to {_shown(ctx, path)}"


class EditTool:
    name = "edit"
    group = "fs"
    description = (
        "Replace one exact piece of text in a workspace file; `old` must occur exactly once "
        "(include surrounding lines to make it unique)."
    )

    def input_schema(self) -> JsonObject:
        return _schema(path=PATH, old={"type": "string"}, new={"type": "string"})

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        path = resolve(ctx, _text_arg(args, "path"))
        old, new = _text_arg(args, "old"), _text_arg(args, "new")
        if not old:
            raise ToolError("`old` is empty; use write to create a file")
        shown = _shown(ctx, path)
        try:
            if path.stat().st_size > WRITE_MAX_BYTES:
                raise ToolError(f"{shown} is larger than {WRITE_MAX_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ToolError(f"{shown} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ToolError(f"cannot read {shown} as UTF-8 text: {exc}") from None
        count = text.count(old)
        if count == 0:
            raise ToolError(f"`old` was not found in {shown}; read the file and copy it exactly")
        if count > 1:
            raise ToolError(f"`old` occurs {count} times in {shown}; include more context")
        try:
            _write(path, text.replace(old, new, 1))
        except OSError as exc:
            raise ToolError(f"cannot write {shown}: {exc.strerror}") from None
        return f"edited {shown}"


class ListTool:
    name = "list"
    group = "fs"
    description = "List a workspace folder: names, `/` after folders, sizes of files."

    def input_schema(self) -> JsonObject:
        schema = _schema(path={**PATH, "description": "a folder; default: the workspace"})
        schema["required"] = []
        return schema

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        path = resolve(ctx, _text_arg(args, "path", required=False))
        if not path.exists():
            raise ToolError(f"{_shown(ctx, path)} does not exist")
        if not path.is_dir():
            raise ToolError(f"{_shown(ctx, path)} is a file; use read")
        lines: list[str] = []
        try:
            entries = sorted(path.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            raise ToolError(f"cannot list {_shown(ctx, path)}: {exc.strerror}") from None
        for entry in entries[:LIST_MAX_ENTRIES]:
            if entry.is_dir():
                lines.append(entry.name + "/")
            else:
                try:
                    lines.append(f"{entry.name} ({entry.stat().st_size} bytes)")
                except OSError:
                    lines.append(f"{entry.name} (unreadable)")
        if len(entries) > LIST_MAX_ENTRIES:
            lines.append(f"[... {len(entries) - LIST_MAX_ENTRIES} more]")
        return "\n".join(lines) or "(empty)"
