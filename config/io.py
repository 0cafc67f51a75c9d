"""Reading `epiloop.json`: text -> ordered document -> `${VAR}`-resolved `EpiloopConfig`.

`load_file(path)` / `load_text(text)` never raise for a bad file: they return a `LoadResult`
with one line per problem in `errors` (nothing in it may be applied) and non-fatal notes in
`warnings` (duplicate keys, unknown keys, env-reference look-alikes).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import json5
from pydantic import ValidationError

from config.envrefs import resolve
from config.errors import format_validation_error, unknown_keys
from config.includes import expand
from config.jsontypes import Json, JsonObject
from config.paths import json_path
from config.schema import EpiloopConfig

SYNTAX_FIX = "fix the syntax there (JSON, or JSON5 with comments and trailing commas)"


@dataclass
class LoadResult:
    path: Path | None
    text: str
    hash: str
    document: JsonObject | None = None
    config: EpiloopConfig | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    json5: bool = False  # True when only the JSON5 parser accepted the text
    missing: bool = False

    @property
    def ok(self) -> bool:
        return self.config is not None and not self.errors


def text_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return text_hash(path.read_bytes())
    except FileNotFoundError:
        return None


class _Obj(dict[str, Json]):
    """A parsed JSON object that remembers which of its keys were written twice."""

    duplicates: list[str]


def _pairs(pairs: Iterable[tuple[str, Json]]) -> _Obj:
    obj = _Obj()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj and key not in obj.duplicates:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _plain(value: Json, path: tuple[str | int, ...], warnings: list[str]) -> Json:
    if isinstance(value, dict):
        for key in value.duplicates if isinstance(value, _Obj) else []:
            warnings.append(
                f"{json_path((*path, key))}: key written more than once; the last one wins "
                "(remove the others)"
            )
        return {k: _plain(v, (*path, k), warnings) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, (*path, i), warnings) for i, v in enumerate(value)]
    return value


def _json5_position(message: str) -> tuple[int, int, str]:
    match = re.match(r"<string>:(\d+) (.*) at column (\d+)", message)
    if match:
        return int(match.group(1)), int(match.group(3)), match.group(2)
    return 0, 0, message


_JSON5_TOKEN = re.compile(
    r"""(?P<skip>\s+|//[^\n]*|/\*.*?\*/)
    |(?P<dq>"(?:[^"\\]|\\.)*")
    |(?P<sq>'[^'\\]*')
    |(?P<punct>[{}\[\]:,])
    |(?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    |(?P<word>[A-Za-z_$][A-Za-z0-9_$]*)""",
    re.VERBOSE | re.DOTALL,
)
_NEXT = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)


def json5_as_json(text: str) -> str | None:
    """The common JSON5 (comments, trailing commas, unquoted keys, simple single-quoted
    strings) as JSON text, ~100x faster than the `json5` parser; None for anything else
    (then the `json5` parser reads it)."""
    out: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        match = _JSON5_TOKEN.match(text, pos)
        if match is None:
            return None
        pos = match.end()
        kind, token = match.lastgroup, match.group()
        if kind == "skip":
            continue
        if kind == "sq":
            token = json.dumps(token[1:-1], ensure_ascii=False)
        elif kind == "word" and token not in ("true", "false", "null"):
            after = _NEXT.match(text, pos)
            if after is None or not text.startswith(":", after.end()):
                return None
            token = json.dumps(token)
        elif token in "}]" and out and out[-1] == ",":
            if len(out) < 2 or out[-2] in ("{", "[", ","):
                return None
            out.pop()
        out.append(token)
    return "".join(out)


def parse(text: str) -> tuple[Json, bool, list[str], list[str]]:
    """(document, parsed-only-as-JSON5, errors, warnings)."""
    warnings: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, False, ["the file is empty; write a config object, at least {}"], warnings
    try:
        raw = json.loads(text, object_pairs_hook=_pairs)
        return _plain(raw, (), warnings), False, [], warnings
    except json.JSONDecodeError as exc:
        first = exc
    except RecursionError:
        return None, False, ["nested too deeply to read"], warnings
    converted = json5_as_json(text)
    if converted is not None:
        try:
            raw = json.loads(converted, object_pairs_hook=_pairs)
            return _plain(raw, (), warnings), True, [], warnings
        except ValueError:
            pass  # the full JSON5 parser decides, and names the line and column
        except RecursionError:
            return None, True, ["nested too deeply to read"], warnings
    try:
        raw = json5.loads(text, object_pairs_hook=_pairs)
    except ValueError as exc:
        line, column, what = _json5_position(str(exc))
        if not line:
            line, column, what = first.lineno, first.colno, first.msg
        return None, True, [f"line {line}, column {column}: {what}; {SYNTAX_FIX}"], warnings
    return _plain(raw, (), warnings), True, [], warnings


SECRET_KEYS = re.compile(r"(token|apikey|password|secret)$", re.IGNORECASE)


def _register_secrets(value: Json, key: str = "") -> None:
    """Tokens, keys and passwords in the resolved config never reach a log line."""
    if isinstance(value, dict):
        for k, v in value.items():
            _register_secrets(v, k)
    elif isinstance(value, list):
        for v in value:
            _register_secrets(v, key)
    elif isinstance(value, str) and SECRET_KEYS.search(key):
        from config.secrets import register_secret

        register_secret(value)


def validate(
    document: Json,
    environ: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> tuple[EpiloopConfig | None, list[str], list[str]]:
    """Expand `$include`s and resolve `${VAR}`s on a copy, then validate:
    (config or None, errors, warnings)."""
    if environ is None:
        from django.conf import settings

        environ = settings.EPILOOP_ENVIRON
    if not isinstance(document, dict):
        got = type(document).__name__ if document is not None else "null"
        return None, [f"(top level): must be an object {{...}} (got {got})"], []
    if base_dir is None:
        from django.conf import settings

        base_dir = Path(settings.EPILOOP_CONFIG_PATH).parent
    expanded, include_errors = expand(document, base_dir)
    if include_errors:
        return None, include_errors, []
    resolved, errors, warnings = resolve(expanded, environ)
    try:
        config = EpiloopConfig.model_validate(resolved)
    except ValidationError as exc:
        taken = {e.split(": ", 1)[0] for e in errors}
        schema = [
            e for e in format_validation_error(exc, resolved) if e.split(": ", 1)[0] not in taken
        ]
        return None, errors + schema, warnings
    _register_secrets(resolved)
    warnings += [f"{p}: unknown key, kept as written" for p in unknown_keys(config)]
    if errors:
        return None, errors, warnings
    return config, [], warnings


def load_text(
    text: str, *, path: Path | None = None, environ: Mapping[str, str] | None = None
) -> LoadResult:
    result = LoadResult(path=path, text=text, hash=text_hash(text))
    document, result.json5, errors, warnings = parse(text)
    result.warnings += warnings
    if errors:
        result.errors += errors
        return result
    result.document = document
    config, errors, warnings = validate(document, environ, path.parent if path else None)
    result.errors += errors
    result.warnings += warnings
    result.config = config
    return result


def load_file(path: Path, *, environ: Mapping[str, str] | None = None) -> LoadResult:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LoadResult(
            path=path,
            text="",
            hash="",
            missing=True,
            errors=[f"{path}: file not found; create it or import from the admin"],
        )
    text = data.decode("utf-8-sig", errors="replace")
    result = load_text(text, path=path, environ=environ)
    result.hash = text_hash(data)
    return result
