"""Between one JSON object of `epiloop.json` and the database row that models it.

A row keeps the object it came from (`raw`) plus one attribute per modelled key, declared
as `JSON_FIELDS = {attr: (dotted.json.key, kind)}`. Export overlays the attributes onto
`raw` in place: an attribute whose value is unchanged leaves the original JSON as written
(a numeric id stays numeric, a `"provider/model"` string stays a string), a new key is
appended, a cleared one deleted; keys nobody models are never touched.

Kinds: `value` (as is), `json` (any JSON), `id` (number or string -> string), `ids` (list of
ids; a single value counts as a list of one), `secret` (a string, or a SecretRef object
shown as its JSON text), `model` (`model.primary`/`model.fallbacks`, where `model` may be
written as a plain string).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Final

from config.jsontypes import Json, JsonObject

Spec = dict[str, tuple[str, str]]
Coerce = Callable[[str, Json], Json]


def _keep(attr: str, value: Json) -> Json:
    return value


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


def get_path(obj: Json, dotted: str) -> Json:
    node = obj
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if isinstance(node, str) and parts[i - 1 : i] == ["model"]:
            return node if part == "primary" else ABSENT
        if not isinstance(node, dict) or part not in node:
            return ABSENT
        node = node[part]
    return node


def normalise(kind: str, value: Json) -> Json:
    if value is ABSENT or value is None:
        return None
    if kind == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if kind == "ids":
        items = value if isinstance(value, list) else [value]
        return [normalise("id", v) for v in items]
    if kind == "secret" and isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def denormalise(kind: str, value: Json) -> Json:
    if kind == "secret" and isinstance(value, str) and value.strip().startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _same(before: object, after: object) -> bool:
    if before in ("", None) and after in ("", None):
        return True
    return bool(before == after)


def fields_from_json(spec: Spec, raw: Json, coerce: Coerce = _keep) -> dict[str, Json]:
    return {
        attr: coerce(attr, normalise(kind, get_path(raw, path)))
        for attr, (path, kind) in spec.items()
    }


def _set(obj: JsonObject, dotted: str, value: Json) -> None:
    parts = dotted.split(".")
    node = obj
    for part in parts[:-1]:
        child = node.get(part)
        if isinstance(child, str) and part == "model":
            child = {"primary": child}
        if not isinstance(child, dict):
            child = {}
        node[part] = child
        node = child
    node[parts[-1]] = value


def _delete(obj: JsonObject, dotted: str) -> None:
    parts = dotted.split(".")
    trail: list[tuple[JsonObject, str]] = []
    node: Json = obj
    for part in parts[:-1]:
        if isinstance(node, dict) and part == "model" and isinstance(node.get(part), str):
            if parts[-1] == "primary":
                del node[part]
            return
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return
        trail.append((node, part))
        node = node[part]
    if isinstance(node, dict) and parts[-1] in node:
        del node[parts[-1]]
        for parent, key in reversed(trail):
            if parent[key]:
                break
            del parent[key]


def overlay(spec: Spec, raw: Json, values: dict[str, Json], coerce: Coerce = _keep) -> JsonObject:
    """A copy of `raw` with `values` (attr -> value) written into it (see module doc)."""
    out: JsonObject = copy.deepcopy(raw) if isinstance(raw, dict) else {}
    model_was_string = isinstance(out.get("model"), str)
    for attr, (path, kind) in spec.items():
        before = coerce(attr, normalise(kind, get_path(out, path)))
        after = values.get(attr)
        if _same(before, after):
            continue
        if after is None:
            _delete(out, path)
        else:
            _set(out, path, denormalise(kind, after))
    model = out.get("model")
    if model_was_string and isinstance(model, dict) and list(model) == ["primary"]:
        out["model"] = model["primary"]
    return out
