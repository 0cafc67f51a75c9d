from __future__ import annotations

import logging

from config.secrets import redact, register_secret
from gateway.logs import SubsystemFormatter


def test_registered_secrets_are_redacted_but_variable_names_are_not() -> None:
    register_secret("sk-test-made-up-secret-value")
    register_secret("ANTHROPIC_API_KEY")
    register_secret("${DISCORD_BOT_TOKEN}")
    line = redact("key sk-test-made-up-secret-value from ANTHROPIC_API_KEY or ${DISCORD_BOT_TOKEN}")
    assert line == "key *** from ANTHROPIC_API_KEY or ${DISCORD_BOT_TOKEN}"


def test_console_lines_are_prefixed_by_subsystem() -> None:
    record = logging.LogRecord("epiloop.discord", logging.INFO, "", 0, "logged in", None, None)
    assert SubsystemFormatter().format(record) == "[discord] logged in"
    warn = logging.LogRecord("epiloop.gateway", logging.WARNING, "", 0, "careful", None, None)
    assert SubsystemFormatter().format(warn) == "[gateway] warning: careful"
