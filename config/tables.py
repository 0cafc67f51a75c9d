"""`epiloop.json` document <-> config tables.

`import_document(doc)` makes the tables match a (valid) document and returns one line per
changed object; `config.export.export_document()` builds the document back. Every
row keeps the JSON object it came from, and the key order of the top level and of the modelled
containers (`agents`, `auth`, `models`, `channels`) is remembered in `ConfigState.order`,
so that import then export gives the same document. Anything not modelled as a table
(including a modelled slot written as `{"$include": ...}`) is a `ConfigSection`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, TypeAlias

from django.db import models

from config.errors import shown
from config.includes import has_include
from config.jsontypes import Json, JsonObject
from config.models.base import ConfigRow
from config.models.state import ConfigSection, ConfigState
from config.paths import json_path
from config.rows import fields_from_json

# The top-level keys a fresh document (no remembered order) is written in.
PREFERRED_ORDER = ("meta", "agents", "auth", "models", "channels", "bindings")

Key: TypeAlias = str | int  # a row's place in its slot: list position, map key, or pk 1
Values: TypeAlias = dict[str, object]  # column values of one row, by attribute
Desired: TypeAlias = list[tuple[Key, str, Values]]  # (key, label, values) per row


@dataclass(frozen=True)
class Table:
    """A slot of `epiloop.json` modelled as rows of `model`. `path` is dotted from the top
    (`gateway`, `agents.list`, `channels.discord`), or for a child the key inside each parent
    object (`guilds`, `channels`). `shape`: `object` (one row, pk 1), `list` (rows by
    position) or `map` (rows by key in `key_field`; `value_field` names the column for a
    map whose values are not objects, as `auth.order`). `children` are maps nested in each
    row's object; `parent_field` is a child's foreign key to its parent row."""

    path: str
    model: type[models.Model]
    shape: Literal["object", "list", "map"]
    key_field: str = "key"
    value_field: str = ""
    children: tuple[Table, ...] = ()
    parent_field: str = ""


_TABLES: dict[str, Table] = {}


def register(*tables: Table) -> None:
    """Called by each app's `ready()` for the slots it models, in file order."""
    for table in tables:
        _TABLES[table.path] = table


def registered() -> list[Table]:
    return list(_TABLES.values())


def row_model(table: Table) -> type[ConfigRow]:
    """The model of a table whose rows are JSON objects (all but a `value_field` map)."""
    if not issubclass(table.model, ConfigRow):
        raise TypeError(f"{table.path}: {table.model.__name__} is not a ConfigRow")
    return table.model


def containers() -> dict[str, tuple[str, ...]]:
    """`{"agents": ("defaults", "list"), "channels": ("discord", ...)}`: the keys of each
    top-level object whose children are modelled."""
    found: dict[str, tuple[str, ...]] = {}
    for path in _TABLES:
        top, _, sub = path.partition(".")
        if sub:
            found[top] = (*found.get(top, ()), sub)
    for top in PREFERRED_ORDER:
        if top in found:
            found[top] = found.pop(top)  # containers in the usual file order
    return {top: found[top] for top in sorted(found, key=_preferred)}


def _preferred(key: str) -> int:
    return PREFERRED_ORDER.index(key) if key in PREFERRED_ORDER else len(PREFERRED_ORDER)


def top_modelled() -> tuple[str, ...]:
    return tuple(sorted((p for p in _TABLES if "." not in p), key=_preferred))


def modelled_slots() -> set[str]:
    """Every path with its own admin page (for refusing a free-form section there)."""
    return {*_TABLES, *containers()}


def _fits(slot: str, value: Json) -> bool:
    if has_include(value):
        return False
    table = _TABLES.get(slot)
    return isinstance(value, list) if table and table.shape == "list" else isinstance(value, dict)


def split(document: JsonObject) -> tuple[JsonObject, JsonObject, dict[str, list[str]]]:
    """(modelled slots, sections, key order) of a document."""
    slots: JsonObject = {}
    sections: JsonObject = {}
    order: dict[str, list[str]] = {"": list(document)}
    modelled = containers()
    for key, value in document.items():
        if key in modelled and isinstance(value, dict) and not has_include(value):
            order[key] = list(value)
            for sub, sub_value in value.items():
                slot = f"{key}.{sub}"
                target = slots if sub in modelled[key] and _fits(slot, sub_value) else sections
                target[slot] = sub_value
        elif key in _TABLES and _fits(key, value):
            slots[key] = value
        else:
            sections[key] = value
    return slots, sections, order


# --- import ---------------------------------------------------------------------------


def _same(a: object, b: object) -> bool:
    return json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)


def _values(model: type[ConfigRow], raw: Json, position: int) -> Values:
    values = fields_from_json(model.JSON_FIELDS, raw, model.coerce)
    return {**values, "raw": raw, "position": position}


def _unmodelled(row: models.Model, raw: Json) -> Json:
    if not isinstance(raw, dict):
        return raw
    spec = row.JSON_FIELDS if isinstance(row, ConfigRow) else {}
    modelled = {path.split(".")[0] for path, _ in spec.values()}
    return {k: v for k, v in raw.items() if k not in modelled}


def _key_changes(old: Json, new: Json) -> list[str]:
    """`key old -> new` for each unmodelled key that changed (added: `key + new`)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if _same(old, new) else [f"{shown(old)} -> {shown(new)}"]
    parts = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key not in new:
            parts.append(f"{key} removed (was {shown(old[key])})")
        elif key not in old:
            parts.append(f"{key} + {shown(new[key])}")
        elif not _same(old[key], new[key]):
            parts.append(f"{key} {shown(old[key])} -> {shown(new[key])}")
    return parts


def _describe(label: str, row: models.Model, values: Values) -> str | None:
    """One line naming what changes on `row`, or None when nothing does."""
    spec = row.JSON_FIELDS if isinstance(row, ConfigRow) else {}
    parts = []
    changed = False
    for field, new in values.items():
        old = getattr(row, field)
        if _same(old, new):
            continue
        changed = True
        if field == "raw":
            parts += _key_changes(_unmodelled(row, old), _unmodelled(row, new))
        elif field == "position":
            parts.append(f"moved to position {new}")
        else:
            name = spec[field][0] if field in spec else field
            parts.append(f"{name} {shown(old)} -> {shown(new)}")
    if changed and not parts:
        parts.append("written differently")
    if not parts:
        return None
    return f"change {label}: " + "; ".join(parts)


def _sync(
    model: type[models.Model],
    desired: Desired,
    key_field: str,
    changes: list[str],
    **scope: object,
) -> dict[Key, models.Model]:
    """Make `model` rows (within `scope`) match `desired` [(key, label, values)]."""
    existing: dict[Key, models.Model] = {}
    row: models.Model | None
    for row in model._default_manager.filter(**scope):
        key = getattr(row, key_field)
        if key in existing:  # two rows at one list position: keep the first
            row.delete()
            continue
        existing[key] = row
    kept: dict[Key, models.Model] = {}
    for key, label, values in desired:
        row = existing.pop(key, None)
        if row is None:
            row = model(**scope, **{key_field: key, **values})
            row.save()
            changes.append(f"add {label}")
        else:
            line = _describe(label, row, values)
            if line:
                for field, value in values.items():
                    setattr(row, field, value)
                row.save()
                changes.append(line)
        kept[key] = row
    for key, row in existing.items():
        row.delete()
        changes.append(f"remove {_label_of(model, key, row)}")
    return kept


def _label_of(model: type[models.Model], key: Key, row: models.Model) -> str:
    label = (model.LABEL if issubclass(model, ConfigRow) else "") or str(model._meta.verbose_name)
    if isinstance(key, int):
        return f"{label}[{key}] ({row})"
    return json_path((*label.split("."), str(key)))


def _rows(
    table: Table, raw: Json, label: str, changes: list[str], **scope: object
) -> dict[Key, models.Model]:
    """Make `table`'s rows (within `scope`) match `raw`, then its children in each row."""
    model = table.model
    desired: Desired
    items: dict[Key, Json]
    if table.shape == "object":
        desired = [] if raw is None else [(1, label, _values(row_model(table), raw, 0))]
        rows = _sync(model, desired, "pk", changes)
        items = {1: raw} if raw is not None else {}
    elif table.shape == "list":
        items = dict(enumerate(raw)) if isinstance(raw, list) else {}
        desired = [
            (
                i,
                f"{label}[{i}]",
                _values(row_model(table), item if isinstance(item, dict) else {}, i),
            )
            for i, item in enumerate(items.values())  # the keys are the positions
        ]
        rows = _sync(model, desired, "position", changes, **scope)
    else:
        items = dict(raw) if isinstance(raw, dict) else {}
        desired = []
        for i, (key, value) in enumerate(items.items()):
            row_values: Values
            if table.value_field:  # the value is a plain JSON value (auth.order's lists)
                row_values = {table.value_field: value, "position": i}
            else:
                row_values = _values(row_model(table), value if isinstance(value, dict) else {}, i)
            desired.append((key, json_path((*label.split("."), key)), row_values))
        rows = _sync(model, desired, table.key_field, changes, **scope)
    for child in table.children:
        if table.shape == "object":
            parents = [(label, rows.get(1), items.get(1))]
        else:
            parents = [(f"{label}.{key}", row, items.get(key)) for key, row in rows.items()]
        for parent_label, row, parent_raw in parents:
            child_raw = parent_raw.get(child.path) if isinstance(parent_raw, dict) else None
            child_scope = {child.parent_field: row} if child.parent_field else {}
            if child.parent_field and row is None:
                continue
            _rows(child, child_raw, f"{parent_label}.{child.path}", changes, **child_scope)
    return rows


def import_document(document: JsonObject) -> list[str]:
    """Make every config table match `document`; one line per object added/changed/removed."""
    slots, sections, order = split(document)
    changes: list[str] = []
    for table in registered():
        _rows(table, slots.get(table.path), table.path, changes)
    section_rows: Desired = [
        (path, path, {"value": value, "position": i})
        for i, (path, value) in enumerate(sections.items())
    ]
    _sync(ConfigSection, section_rows, "path", changes)
    state = ConfigState.get()
    state.order = order
    state.document = document
    state.save()
    return changes
