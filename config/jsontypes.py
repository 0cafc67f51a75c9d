"""Names for values read from JSON: a parsed `epiloop.json`, a row's `raw` object, a
section's value.

Their shape is only known after an `isinstance` check, so `Json` stays `Any` (a union
would force a check on every read of a document that was already validated); the names
say where a value is JSON as written, and the schema's models (`config.schema`) say where
it is typed.
"""

from __future__ import annotations

from typing import Any, TypeAlias

Json: TypeAlias = Any
"""Any value `json.loads` returns: an object, a list, a string, a number, a bool or None."""

JsonObject: TypeAlias = dict[str, Json]
"""A JSON object (`{...}`), keys in the order written."""
