"""Log formatting for the gateway: `[subsystem] message` on stdout, timestamped lines in the
rotating file under `$EPILOOP_STATE_DIR/logs/`, and redaction of every registered secret."""

from __future__ import annotations

import json
import logging
import time

from config.secrets import has_secrets, redact


def subsystem(record: logging.LogRecord) -> str:
    name = record.name
    if name.startswith("epiloop."):
        return name.split(".", 2)[1]
    return name.split(".", 1)[0]


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_secrets():
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
