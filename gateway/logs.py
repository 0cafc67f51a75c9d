"""Log formatting for the gateway: `[subsystem] message` on stdout, timestamped lines in the
rotating file under `$EPILOOP_STATE_DIR/logs/`, and redaction of every registered secret."""

from __future__ import annotations

import json
import logging
import re
import time

_SECRETS: set[str] = set()


_NOT_SECRET = re.compile(r"^(\$\{[^}]*\}|[A-Z][A-Z0-9_]*)$")


def register_secret(value: str | None) -> None:
    """Never let `value` reach a log line (tokens, API keys). Short values, `${VAR}`
    references and bare variable names (`"ANTHROPIC_API_KEY"` used as a marker) are not
    secrets and are ignored."""
    if value and len(value) >= 6 and not _NOT_SECRET.match(value):
        _SECRETS.add(value)


def forget_secrets() -> None:
    """For tests: drop every registered secret."""
    _SECRETS.clear()


def redact(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def subsystem(record: logging.LogRecord) -> str:
    name = record.name
    if name.startswith("epiloop."):
        return name.split(".", 2)[1]
    return name.split(".", 1)[0]


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            record.msg = redact(record.getMessage())
            record.args = None
        return True


class QuietReadiness(logging.Filter):
    """`/readyz` answering 503 is its job, not a server error worth a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return not (
            getattr(record, "status_code", 0) == 503
            and request is not None
            and getattr(request, "path", "") == "/readyz"
        )


class SubsystemFormatter(logging.Formatter):
    def __init__(self, fmt: str = "text") -> None:
        super().__init__()
        self.mode = fmt

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message = message + "\n" + self.formatException(record.exc_info)
        sub = subsystem(record)
        if self.mode == "json":
            return json.dumps(
                {"ts": record.created, "level": record.levelname, "subsystem": sub, "msg": message}
            )
        line = f"[{sub}] {message}"
        if self.mode == "file":
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            return f"{stamp}.{int(record.msecs):03d}Z {record.levelname} {line}"
        if record.levelno >= logging.WARNING:
            return f"[{sub}] {record.levelname.lower()}: {message}"
        return line
