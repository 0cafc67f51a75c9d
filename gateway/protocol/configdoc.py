"""config.* over the protocol: read with secrets redacted, write guarded by `baseHash`.

Secrets are replaced by `REDACTED`; a write that sends `REDACTED` back keeps the value the
file has at that path, so a client can round-trip what `config.get` gave it.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings

from gateway.protocol.frames import INVALID_REQUEST, ProtocolError

REDACTED = "__EPILOOP_REDACTED__"
SECRET_KEYS = re.compile(r"(token|password|secret|apikey|api_key|privatekey)$", re.IGNORECASE)
ENV_REF = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*\}$")


def config_path() -> Path:
    from gateway.runtime import RUNTIME

    return Path(RUNTIME.config_path or settings.EPILOOP_CONFIG_PATH)


def redact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if SECRET_KEYS.search(key) and isinstance(value, str) and value and not ENV_REF.match(value):
        return REDACTED
    return value


def restore(new: Any, old: Any) -> Any:
    """Put back the real values wherever `new` carries the redaction marker."""
    if isinstance(new, dict):
        old_dict = old if isinstance(old, dict) else {}
        return {k: restore(v, old_dict.get(k)) for k, v in new.items()}
    if isinstance(new, list):
        old_list = old if isinstance(old, list) else []
        return [restore(v, old_list[i] if i < len(old_list) else None) for i, v in enumerate(new)]
    if new == REDACTED:
        if old is None or old == REDACTED:
            raise ProtocolError(INVALID_REQUEST, "a redacted secret has no value to keep")
        return old
    return new


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: null deletes a key, objects merge, the rest replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def read() -> dict[str, Any]:
    from config import io

    path = config_path()
    result = io.load_file(path)
    document = result.document if result.document is not None else None
    return {
        "path": str(path),
        "exists": not result.missing,
        "hash": result.hash or None,
        "valid": result.ok,
        "issues": [{"message": p, "path": p.split(":", 1)[0]} for p in result.errors],
        "warnings": list(result.warnings),
        "config": redact(document) if document is not None else None,
        "raw": json.dumps(redact(document), indent=2) if document is not None else "",
    }


def parse_raw(raw: Any) -> dict[str, Any]:
    from config import io

    if not isinstance(raw, str) or not raw.strip():
        raise ProtocolError(INVALID_REQUEST, "raw is required (the config as JSON text)")
    document, _, errors, _ = io.parse(raw)
    if errors:
        raise ProtocolError(INVALID_REQUEST, "; ".join(errors), details={"issues": errors})
    if not isinstance(document, dict):
        raise ProtocolError(INVALID_REQUEST, "the config must be a JSON object")
    return dict(document)


def write(document: dict[str, Any], base_hash: Any, *, patch: bool = False) -> dict[str, Any]:
    """Validate, refuse a stale base, write atomically, apply. Returns the new state."""
    from config import io, runtime, writer

    path = config_path()
    current = io.load_file(path)
    if not current.missing:
        if not isinstance(base_hash, str) or not base_hash:
            raise ProtocolError(
                INVALID_REQUEST,
                "baseHash is required: read the config with config.get and send its hash",
            )
        if base_hash != current.hash:
            raise ProtocolError(
                INVALID_REQUEST,
                "config changed since it was loaded (stale baseHash); reload it and retry",
                details={"hash": current.hash},
            )
    old = current.document or {}
    if patch:
        document = merge_patch(old, document)
    document = restore(document, old)
    checked = io.load_text(json.dumps(document), path=path)
    if not checked.ok:
        raise ProtocolError(
            INVALID_REQUEST,
            "invalid config: " + "; ".join(checked.errors),
            details={
                "issues": [{"message": p, "path": p.split(":", 1)[0]} for p in checked.errors]
            },
        )
    new_hash, _ = writer.write_document(path, document, version=settings.VERSION)
    assert checked.config is not None
    runtime.set_current(checked.config)
    _import_into_database(path)
    from gateway.runtime import RUNTIME

    RUNTIME.config_valid, RUNTIME.config_problems = True, []
    return {
        "ok": True,
        "path": str(path),
        "hash": new_hash,
        "config": redact(document),
        "restartRequired": _gateway_changed(old, document),
    }


def _gateway_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.get("gateway") != new.get("gateway")


def _import_into_database(path: Path) -> None:
    """The admin's models follow the file, and the file's text becomes a revision."""
    from config.sync import import_file

    import_file(path, source="api")
