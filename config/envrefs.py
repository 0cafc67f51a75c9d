"""`${VAR}` references in `epiloop.json`.

The stored document always keeps the references as written; `resolve()` returns a copy
with every `${NAME}` (NAME = `[A-Z_][A-Z0-9_]*`) replaced from the environment, for
validation and use. `$${NAME}` is an escape for a literal `${NAME}`. Look-alikes that other
tools use (`${env:X}`, `{env:X}`, `${X:-default}`, `${lower_case}`) are never replaced;
they are reported as warnings so an operator notices that nothing was substituted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from config.jsontypes import Json
from config.paths import json_path

REF = re.compile(r"\$?\$\{([A-Z_][A-Z0-9_]*)\}")
# Anything brace-shaped that mentions env or looks like a shell/other-tool reference.
LOOKALIKE = re.compile(r"\$\{[^}]*\}|(?<!\$)\{env:[^}]*\}")


def refs_in(text: str) -> list[str]:
    """Names of the real `${NAME}` references in one string (escapes excluded)."""
    return [m.group(1) for m in REF.finditer(text) if not m.group(0).startswith("$$")]


def resolve(document: Json, environ: Mapping[str, str]) -> tuple[Json, list[str], list[str]]:
    """(resolved copy, errors, warnings). Errors name the JSON path of each missing variable."""
    errors: list[str] = []
    warnings: list[str] = []

    def walk(value: Json, path: tuple[str | int, ...]) -> Json:
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str) and ("{" in value):
            return _resolve_string(value, json_path(path), environ, errors, warnings)
        return value

    return walk(document, ()), errors, warnings


def _resolve_string(
    text: str,
    where: str,
    environ: Mapping[str, str],
    errors: list[str],
    warnings: list[str],
) -> str:
    for match in LOOKALIKE.finditer(text):
        token = match.group(0)
        if REF.fullmatch(token):
            continue
        if match.start() > 0 and text[match.start() - 1] == "$" and token.startswith("${"):
            continue
        warnings.append(
            f"{where}: {token} is not an environment reference (only ${{UPPER_CASE}} names "
            "are replaced, without defaults); it is kept as plain text"
        )

    def replace(match: re.Match[str]) -> str:
        whole, name = match.group(0), match.group(1)
        if whole.startswith("$$"):
            return whole[1:]
        value = environ.get(name, "")
        if not value:
            state = "is empty" if name in environ else "is not set"
            errors.append(
                f"{where}: environment variable {name} {state}; set it (or write the value "
                "in place of ${" + name + "})"
            )
            return whole
        return value

    return REF.sub(replace, text)
