"""Config tables -> `epiloop.json` document (the inverse of `tables.import_document`).

Each row's JSON is its `raw` object with the modelled columns overlaid; containers and
the top level follow the key order remembered at import, new keys go last, and a
`ConfigSection` named like a modelled slot (an `$include`) takes that slot's place.
"""

from __future__ import annotations

from config.jsontypes import Json, JsonObject
from config.models.base import ConfigRow
from config.models.state import ConfigSection, ConfigState
from config.rows import ABSENT, overlay
from config.tables import Table, containers, registered, row_model, top_modelled


def _row_json(row: ConfigRow) -> JsonObject:
    return overlay(row.JSON_FIELDS, row.raw, row.json_values(), type(row).coerce)


def _children(base: JsonObject, key: str, rows: JsonObject) -> None:
    """Rows become `base[key]`; a value there that was not an object (e.g. an `$include`)
    stays as written while there are no rows."""
    if rows or isinstance(base.get(key), dict):
        base[key] = rows


def _assemble(order: list[str], modelled: JsonObject, sections: JsonObject) -> Json:
    present = {k: v for k, v in modelled.items() if v is not ABSENT}
    present.update(sections)
    if not present and not order:
        return ABSENT
    out = {key: present[key] for key in order if key in present}
    for key, value in present.items():
        out.setdefault(key, value)
    return out


def _table_json(table: Table, row: ConfigRow) -> JsonObject:
    """A row's JSON with its children (maps nested in it) filled in."""
    out = _row_json(row)
    for child in table.children:
        objs = row_model(child)._default_manager.all()
        if child.parent_field:
            objs = objs.filter(**{child.parent_field: row})
        _children(
            out, child.path, {getattr(o, child.key_field): _table_json(child, o) for o in objs}
        )
    return out


def _export(table: Table, order: dict[str, list[str]]) -> Json:
    container, _, key = table.path.rpartition(".")
    if table.shape == "object":
        row = row_model(table)._default_manager.filter(pk=1).first()
        return _table_json(table, row) if row is not None else ABSENT
    objs = list(table.model._default_manager.all())
    if not objs and key not in order.get(container, []):
        return ABSENT
    if table.value_field:
        return {getattr(o, table.key_field): getattr(o, table.value_field) for o in objs}
    model = row_model(table)
    rows = [o for o in objs if isinstance(o, model)]  # all of them (typed as ConfigRow)
    if table.shape == "map":
        return {getattr(o, table.key_field): _table_json(table, o) for o in rows}
    return [_table_json(table, o) for o in rows]


def export_document() -> JsonObject:
    state = ConfigState.get()
    order: dict[str, list[str]] = state.order or {}
    modelled = containers()
    sections: dict[str, JsonObject] = {}
    for section in ConfigSection.objects.all():
        container, _, key = section.path.partition(".")
        if container not in modelled or not key:
            container, key = "", section.path
        sections.setdefault(container, {})[key] = section.value

    parts: dict[str, JsonObject] = {name: {} for name in modelled}
    singles: JsonObject = {}
    for table in registered():
        container, _, key = table.path.partition(".")
        if key:
            parts[container][key] = _export(table, order)
        else:
            singles[table.path] = _export(table, order)
    top: JsonObject = {}
    for name, children in parts.items():
        if name in sections.get("", {}):
            continue
        in_file = name in order.get("", [])
        value = _assemble(order.get(name, []), children, sections.get(name, {}))
        top[name] = value if (in_file or value is not ABSENT) else ABSENT
        if top[name] is ABSENT and in_file:
            top[name] = {}
    for name in top_modelled():
        top[name] = singles[name]
    document = _assemble(order.get("", []), top, sections.get("", {}))
    return document if isinstance(document, dict) else {}
