"""`{"$include": "file" | ["file", ...]}` directives (OpenClaw's split configs).

The stored document keeps the directive as written; `expand()` returns a copy where each
directive is replaced by the included content (paths relative to the config file's
directory; JSON or JSON5). Several files: lists are concatenated, objects merged in order.
Sibling keys next to `$include` are merged over the included object.
"""

from __future__ import annotations

from pathlib import Path

import json5

from config.jsontypes import Json, JsonObject
from config.paths import json_path

KEY = "$include"
MAX_DEPTH = 8


def has_include(value: object) -> bool:
    return isinstance(value, dict) and KEY in value


def expand(document: Json, base_dir: Path | None) -> tuple[Json, list[str]]:
    errors: list[str] = []

    def walk(value: Json, path: tuple[str | int, ...], depth: int) -> Json:
        if isinstance(value, list):
            return [walk(v, (*path, i), depth) for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if KEY not in value:
            return {k: walk(v, (*path, k), depth) for k, v in value.items()}
        where = json_path((*path, KEY))
        if depth >= MAX_DEPTH or base_dir is None:
            reason = "nested too deeply" if base_dir else "has no file to be relative to"
            errors.append(f"{where}: include {reason}; inline the content instead")
            return value
        names = value[KEY] if isinstance(value[KEY], list) else [value[KEY]]
        parts: list[Json] = []
        for name in names:
            if not isinstance(name, str):
                errors.append(f"{where}: must be a file name or a list of them")
                return value
            target = (base_dir / name).resolve()
            try:
                loaded = json5.loads(target.read_text(encoding="utf-8-sig"))
            except FileNotFoundError:
                errors.append(f"{where}: {name} not found (looked in {target.parent}); create it")
                return value
            except ValueError as exc:
                errors.append(f"{where}: {name} cannot be read ({exc}); fix its syntax")
                return value
            parts.append(walk(loaded, path, depth + 1))
        merged = _merge(parts)
        siblings = {k: walk(v, (*path, k), depth) for k, v in value.items() if k != KEY}
        if isinstance(merged, dict):
            return {**merged, **siblings}
        if siblings:
            errors.append(f"{where}: included content is not an object; move the other keys")
        return merged

    return walk(document, (), 0), errors


def _merge(parts: list[Json]) -> Json:
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, list) for p in parts):
        return [item for p in parts for item in p]
    if all(isinstance(p, dict) for p in parts):
        out: JsonObject = {}
        for p in parts:
            out.update(p)
        return out
    return parts[-1]
