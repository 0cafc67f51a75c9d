"""Bring your OpenClaw config: importing another file (`openclaw.json`, `clawdbot.json`,
`moltbot.json`, JSON5) as the gateway's own, and what Epiloop will not act on.

`adopt(path)` validates the file, imports it into the tables and writes its text verbatim
to the gateway's config path (atomically, the previous file kept as `.bak` and in the
revision history), so file and tables agree and nothing in it is lost. Older spellings of
the same settings are read by the schema as the current ones and never rewritten;
`report()` names each alias it read and every key that is kept but not acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from config.errors import unknown_keys
from config.includes import KEY as INCLUDE
from config.io import validate
from config.jsontypes import Json, JsonObject
from config.revisions import keep_disk_text
from config.schema import EpiloopConfig, legacy_channels
from config.schema_channels import channel_schemas
from config.sync import ImportOutcome, config_path, import_file
from config.writer import write_text


@dataclass
class Report:
    aliases: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.aliases:
            out.append("older spellings read as the current ones (kept as written):")
            out += [f"  {line}" for line in self.aliases]
        if self.unused:
            out.append("kept in the file but not acted on by Epiloop:")
            out += [f"  {path}" for path in self.unused]
        return out


def _get(obj: Json, dotted: str) -> Json:
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _channel_aliases(section: JsonObject, at: str, name: str) -> list[str]:
    found = []
    for old, new in channel_schemas()[name].aliases:
        if _get(section, old) is not None and _get(section, new) is None:
            found.append(f"{at}.{old} -> {'channels.' + name}.{new}")
    return found


def aliases(document: JsonObject) -> list[str]:
    """One line per older spelling the schema reads as the current one."""
    found: list[str] = []
    channels = document.get("channels")
    for name in channel_schemas():
        section = channels.get(name) if isinstance(channels, dict) else None
        if isinstance(section, dict):
            found += _channel_aliases(section, f"channels.{name}", name)
    for name, section in legacy_channels(document).items():
        found.append(f"providers.{name} -> channels.{name}")
        found += _channel_aliases(section, f"providers.{name}", name)
    if (
        _get(document, "gateway.auth.type") is not None
        and _get(document, "gateway.auth.mode") is None
    ):
        found.append("gateway.auth.type -> gateway.auth.mode")
    return found


def unused(document: JsonObject, config: EpiloopConfig) -> list[str]:
    """Keys kept as written that Epiloop does not act on (list items collapsed to `[*]`)."""
    legacy = legacy_channels(document)
    paths: list[str] = []
    for path in unknown_keys(config):
        if path == "providers" and legacy:
            rest = [k for k in document["providers"] if k not in legacy]
            paths += [f"providers.{k}" for k in rest]
            continue
        path = re.sub(r"\[\d+\]", "[*]", path)
        if path not in paths:
            paths.append(path)
    return paths


def report(document: JsonObject | None, config: EpiloopConfig | None) -> Report:
    if document is None or config is None:
        return Report()
    return Report(aliases=aliases(document), unused=unused(document, config))


def _has_include(value: object) -> bool:
    if isinstance(value, dict):
        return INCLUDE in value or any(_has_include(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_include(v) for v in value)
    return False


def is_config_path(path: Path) -> bool:
    return path.resolve() == config_path().resolve()


def adopt(source: Path, *, dry_run: bool = False, user: str = "") -> ImportOutcome:
    """Import another config file as the gateway's own (see the module docstring). Nothing
    is written when the file is invalid or on a dry run."""
    target = config_path()
    outcome = import_file(source, dry_run=True, apply=False)
    if outcome.problems or outcome.result.document is None:
        return outcome
    if _has_include(outcome.result.document):
        _, errors, _ = validate(outcome.result.document, base_dir=target.parent)
        if errors:
            outcome.result.errors += [
                f"{e} (the file is copied to {target} and its includes are read next to it: "
                "copy the included files there too)"
                for e in errors
            ]
            return outcome
    if dry_run:
        return outcome
    keep_disk_text(target, before=f"importing {source}", user=user)
    write_text(target, outcome.result.text)
    adopted = import_file(
        target, source="cli", apply=False, user=user, note=f"imported from {source}"
    )
    return adopted
