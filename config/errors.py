"""Pydantic validation errors as one line each: `JSON path: problem (got X); fix`.

Pydantic reports a union (`str | SecretRef`) as one error per member, with the member's
name in the location; those are folded into a single line per JSON path.
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from config.jsontypes import Json
from config.paths import json_path

_MISSING = object()


class ConfigError(Exception):
    """A config that cannot be applied; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


_KINDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "a string",
    "list": "a list",
    "dict": "an object",
    "model": "an object",
}


def _expected(error_type: str) -> str | None:
    for prefix, words in _KINDS.items():
        if error_type.startswith(prefix + "_") or error_type == prefix:
            return words
    if error_type in ("model_attributes_type", "dataclass_type"):
        return "an object"
    return None


def _child(node: object, part: object) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _member_tag(node: object, part: str) -> bool:
    """Pydantic names union members (`str`, `SecretRef`, `function-before[...]`) in `loc`."""
    if node is _MISSING:
        return False
    return not isinstance(node, dict) or part[:1].isupper()


def _split(loc: tuple[str | int, ...], document: Json) -> tuple[tuple[str | int, ...], str | None]:
    """The real JSON path inside `loc`, and the union member named in it (if any)."""
    path: list[str | int] = []
    member: str | None = None
    node: Json = document
    for part in loc:
        if _child(node, part):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and _member_tag(node, part):
            member = member or part
        else:
            path.append(part)
            node = _MISSING
    return tuple(path), member


def problem(error: ErrorDetails) -> str:
    kind = error["type"]
    got = shown(error["input"]) if "input" in error else ""
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        return f"must be one of {', '.join(choices)} (got {got})"
    if kind == "missing":
        return "is required; add it"
    if kind == "dm_open_without_wildcard":
        return str(error["msg"])
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return f"{error['msg'].lower().replace('input should be', 'must be')} (got {got})"
    words = _expected(kind)
    if words:
        return f"must be {words} (got {got})"
    return f"{error['msg']} (got {got})"


def format_validation_error(exc: ValidationError, document: Json) -> list[str]:
    grouped: dict[tuple[str | int, ...], list[tuple[str | None, str, ErrorDetails]]] = {}
    for error in exc.errors():
        path, member = _split(tuple(error["loc"]), document)
        if error["type"] == "dm_open_without_wildcard":
            path = (*path, *str(error["ctx"]["field"]).split("."))
        text = problem(error)
        if path and path[-1] == "model" and error["type"] in ("model_type", "string_type"):
            got = shown(error["input"])
            text = f'must be a "provider/model" string or {{primary, fallbacks}} (got {got})'
        grouped.setdefault(path, []).append((member, text, error))
    lines: list[str] = []
    for path, items in grouped.items():
        if len(items) > 1 and any(member for member, _, _ in items):
            kinds = []
            for member, _, error in items:
                words = _expected(error["type"]) or (member or "")
                if member == "SecretRef":
                    words = "a SecretRef object {source, provider, id}"
                if words and words not in kinds:
                    kinds.append(words)
            got = shown(items[0][2].get("input"))
            lines.append(f"{json_path(path)}: must be {' or '.join(kinds)} (got {got})")
        else:
            lines += [f"{json_path(path)}: {text}" for _, text, _ in items]
    return lines


def unknown_keys(model: BaseModel, path: tuple[str | int, ...] = ()) -> list[str]:
    """Every key the schema does not model, by JSON path (not descending into them)."""
    found: list[str] = []
    for key, value in (model.model_extra or {}).items():
        if isinstance(value, BaseModel):  # a section registered by an app (channels.discord)
            found += unknown_keys(value, (*path, key))
        else:
            found.append(json_path((*path, key)))
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        found += _unknown_in(getattr(model, name), (*path, key))
    return found


def _unknown_in(value: object, path: tuple[str | int, ...]) -> list[str]:
    if isinstance(value, BaseModel):
        return unknown_keys(value, path)
    if isinstance(value, dict):
        return [line for k, v in value.items() for line in _unknown_in(v, (*path, k))]
    if isinstance(value, list):
        return [line for i, v in enumerate(value) for line in _unknown_in(v, (*path, i))]
    return []
