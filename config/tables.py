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
from typing import Any

from config.errors import shown
from config.includes import has_include
from config.models.state import ConfigSection, ConfigState
from config.paths import json_path
from config.rows import fields_from_json

CONTAINERS = {
    "agents": ("defaults", "list"),
    "auth": ("profiles", "order"),
    "models": ("providers",),
    "channels": ("discord", "telegram"),
}
TOP_MODELLED = ("bindings", "gateway", "session", "messages")


def _m() -> dict[str, Any]:
    from agents.models import config as a
    from channels_app.models import config as c
    from gateway.models import config as g

    return {
        "gateway": g.GatewaySettings,
        "session": g.SessionSettings,
        "messages": g.MessagesSettings,
        "agents.defaults": a.AgentDefaults,
        "agents.list": a.Agent,
        "auth.profiles": a.AuthProfile,
        "auth.order": a.AuthOrder,
        "models.providers": a.Provider,
        "bindings": a.Binding,
        "channels.discord": c.DiscordSettings,
        "channels.telegram": c.TelegramSettings,
        "guilds": c.DiscordGuild,
        "guild_channels": c.DiscordGuildChannel,
        "groups": c.TelegramGroup,
    }


LIST_SLOTS = ("agents.list", "bindings")
DICT_SLOTS = {"auth.profiles": "profile_id", "auth.order": "provider", "models.providers": "name"}


def _fits(slot: str, value: Any) -> bool:
    if has_include(value):
        return False
    return isinstance(value, list) if slot in LIST_SLOTS else isinstance(value, dict)


def split(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(modelled slots, sections, key order) of a document."""
    slots: dict[str, Any] = {}
    sections: dict[str, Any] = {}
    order: dict[str, list[str]] = {"": list(document)}
    for key, value in document.items():
        if key in CONTAINERS and isinstance(value, dict) and not has_include(value):
            order[key] = list(value)
            for sub, sub_value in value.items():
                slot = f"{key}.{sub}"
                target = slots if sub in CONTAINERS[key] and _fits(slot, sub_value) else sections
                target[slot] = sub_value
        elif key in TOP_MODELLED and _fits(key, value):
            slots[key] = value
        else:
            sections[key] = value
    return slots, sections, order


# --- import ---------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)


def _values(model: Any, raw: Any, position: int) -> dict[str, Any]:
    values = fields_from_json(model.JSON_FIELDS, raw, model.coerce)
    return {**values, "raw": raw, "position": position}


def _unmodelled(row: Any, raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    spec = getattr(row, "JSON_FIELDS", {})
    modelled = {path.split(".")[0] for path, _ in spec.values()}
    return {k: v for k, v in raw.items() if k not in modelled}


def _key_changes(old: Any, new: Any) -> list[str]:
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


def _describe(label: str, row: Any, values: dict[str, Any]) -> str | None:
    """One line naming what changes on `row`, or None when nothing does."""
    spec = getattr(row, "JSON_FIELDS", {})
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
    model: Any,
    desired: list[tuple[Any, str, dict[str, Any]]],
    key_field: str,
    changes: list[str],
    **scope: Any,
) -> dict[Any, Any]:
    """Make `model` rows (within `scope`) match `desired` [(key, label, values)]."""
    existing: dict[Any, Any] = {}
    for row in model.objects.filter(**scope):
        key = getattr(row, key_field)
        if key in existing:  # two rows at one list position: keep the first
            row.delete()
            continue
        existing[key] = row
    kept: dict[Any, Any] = {}
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


def _label_of(model: Any, key: Any, row: Any) -> str:
    label = getattr(model, "LABEL", "") or model._meta.verbose_name
    if isinstance(key, int):
        return f"{label}[{key}] ({row})"
    return json_path((*label.split("."), str(key)))


def _singleton(model: Any, raw: Any, changes: list[str]) -> Any:
    desired = [] if raw is None else [(1, model.LABEL, _values(model, raw, 0))]
    return _sync(model, desired, "pk", changes).get(1)


def _dict_rows(
    model: Any, label: str, key_field: str, raw: Any, changes: list[str], **scope: Any
) -> dict[Any, Any]:
    items = raw.items() if isinstance(raw, dict) else []
    desired = []
    for i, (key, value) in enumerate(items):
        if not hasattr(model, "JSON_FIELDS"):  # auth.order: the value is a plain list
            row_values = {"profiles": value, "position": i}
        else:
            row_values = _values(model, value if isinstance(value, dict) else {}, i)
        desired.append((key, json_path((*label.split("."), key)), row_values))
    return _sync(model, desired, key_field, changes, **scope)


def import_document(document: dict[str, Any]) -> list[str]:
    """Make every config table match `document`; one line per object added/changed/removed."""
    m = _m()
    slots, sections, order = split(document)
    changes: list[str] = []
    for name in ("gateway", "session", "messages", "agents.defaults"):
        _singleton(m[name], slots.get(name), changes)
    for name in LIST_SLOTS:
        model = m[name]
        desired = [
            (i, f"{name}[{i}]", _values(model, item if isinstance(item, dict) else {}, i))
            for i, item in enumerate(slots.get(name) or [])
        ]
        _sync(model, desired, "position", changes)
    for name, key_field in DICT_SLOTS.items():
        _dict_rows(m[name], name, key_field, slots.get(name), changes)
    discord = slots.get("channels.discord")
    _singleton(m["channels.discord"], discord, changes)
    guilds_raw = (discord or {}).get("guilds")
    guilds = _dict_rows(m["guilds"], "channels.discord.guilds", "key", guilds_raw, changes)
    for key, guild in guilds.items():
        channels = (guilds_raw or {}).get(key, {})
        channels = channels.get("channels") if isinstance(channels, dict) else None
        label = f"channels.discord.guilds.{key}.channels"
        _dict_rows(m["guild_channels"], label, "key", channels, changes, guild=guild)
    telegram = slots.get("channels.telegram")
    _singleton(m["channels.telegram"], telegram, changes)
    groups = (telegram or {}).get("groups")
    _dict_rows(m["groups"], "channels.telegram.groups", "key", groups, changes)
    section_rows: list[tuple[Any, str, dict[str, Any]]] = [
        (path, path, {"value": value, "position": i})
        for i, (path, value) in enumerate(sections.items())
    ]
    _sync(ConfigSection, section_rows, "path", changes)
    state = ConfigState.get()
    state.order = order
    state.document = document
    state.save()
    return changes
