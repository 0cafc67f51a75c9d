"""Config tables -> `epiloop.json` document (the inverse of `tables.import_document`).

Each row's JSON is its `raw` object with the modelled columns overlaid; containers and
the top level follow the key order remembered at import, new keys go last, and a
`ConfigSection` named like a modelled slot (an `$include`) takes that slot's place.
"""

from __future__ import annotations

from typing import Any

from config.models.base import ConfigRow
from config.models.state import ConfigSection, ConfigState
from config.rows import ABSENT, overlay
from config.tables import CONTAINERS, _m


def _row_json(row: ConfigRow) -> dict[str, Any]:
    return overlay(row.JSON_FIELDS, row.raw, row.json_values(), type(row).coerce)


def _children(base: dict[str, Any], key: str, rows: dict[str, Any]) -> None:
    """Rows become `base[key]`; a value there that was not an object (e.g. an `$include`)
    stays as written while there are no rows."""
    if rows or isinstance(base.get(key), dict):
        base[key] = rows


def _discord(m: dict[str, Any]) -> Any:
    row = m["channels.discord"].objects.filter(pk=1).first()
    if row is None:
        return ABSENT
    out = _row_json(row)
    guilds = {}
    for guild in m["guilds"].objects.all():
        guild_json = _row_json(guild)
        channels = {c.key: _row_json(c) for c in guild.channels.all()}
        _children(guild_json, "channels", channels)
        guilds[guild.key] = guild_json
    _children(out, "guilds", guilds)
    return out


def _telegram(m: dict[str, Any]) -> Any:
    row = m["channels.telegram"].objects.filter(pk=1).first()
    if row is None:
        return ABSENT
    out = _row_json(row)
    _children(out, "groups", {g.key: _row_json(g) for g in m["groups"].objects.all()})
    return out


def _assemble(order: list[str], modelled: dict[str, Any], sections: dict[str, Any]) -> Any:
    present = {k: v for k, v in modelled.items() if v is not ABSENT}
    present.update(sections)
    if not present and not order:
        return ABSENT
    out = {key: present[key] for key in order if key in present}
    for key, value in present.items():
        out.setdefault(key, value)
    return out


def export_document() -> dict[str, Any]:
    m = _m()
    state = ConfigState.get()
    order: dict[str, list[str]] = state.order or {}
    sections: dict[str, dict[str, Any]] = {}
    for section in ConfigSection.objects.all():
        container, _, key = section.path.partition(".")
        if container not in CONTAINERS or not key:
            container, key = "", section.path
        sections.setdefault(container, {})[key] = section.value

    def singleton(name: str) -> Any:
        row = m[name].objects.filter(pk=1).first()
        return _row_json(row) if row is not None else ABSENT

    def rows(name: str, container: str, key: str, as_dict: str | None = None) -> Any:
        objs = list(m[name].objects.all())
        if not objs and key not in order.get(container, []):
            return ABSENT
        if as_dict == "profiles":
            return {o.provider: o.profiles for o in objs}
        if as_dict:
            return {getattr(o, as_dict): _row_json(o) for o in objs}
        return [_row_json(o) for o in objs]

    parts = {
        "agents": {
            "defaults": singleton("agents.defaults"),
            "list": rows("agents.list", "agents", "list"),
        },
        "auth": {
            "profiles": rows("auth.profiles", "auth", "profiles", "profile_id"),
            "order": rows("auth.order", "auth", "order", "profiles"),
        },
        "models": {"providers": rows("models.providers", "models", "providers", "name")},
        "channels": {"discord": _discord(m), "telegram": _telegram(m)},
    }
    top: dict[str, Any] = {}
    for name, children in parts.items():
        if name in sections.get("", {}):
            continue
        in_file = name in order.get("", [])
        value = _assemble(order.get(name, []), children, sections.get(name, {}))
        top[name] = value if (in_file or value is not ABSENT) else ABSENT
        if top[name] is ABSENT and in_file:
            top[name] = {}
    top["bindings"] = rows("bindings", "", "bindings")
    for name in ("gateway", "session", "messages"):
        top[name] = singleton(name)
    document = _assemble(order.get("", []), top, sections.get("", {}))
    return document if isinstance(document, dict) else {}
