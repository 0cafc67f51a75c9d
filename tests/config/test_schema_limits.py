"""`limits.*`: defaults, camelCase keys, and keys not modelled kept as written."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.schema import EpiloopConfig


def test_inbound_limits_have_defaults() -> None:
    inbound = EpiloopConfig.model_validate({}).limits.inbound
    assert inbound.enabled and inbound.exempt_owners
    assert (inbound.per_sender_per_minute, inbound.per_chat_per_minute, inbound.burst) == (
        20,
        60,
        5,
    )
    assert inbound.exempt == []


def test_written_limits_are_read_and_unknown_keys_kept() -> None:
    doc = {
        "limits": {
            "inbound": {"perSenderPerMinute": 6, "exempt": ["discord:123", 456], "note": "x"},
            "budgets": {"dailyUsd": 2},
        }
    }
    cfg = EpiloopConfig.model_validate(doc)
    assert cfg.limits.inbound.per_sender_per_minute == 6
    assert cfg.limits.inbound.exempt == ["discord:123", "456"]
    dumped = cfg.model_dump(by_alias=True, exclude_unset=True)["limits"]
    assert dumped["budgets"] == {"dailyUsd": 2} and dumped["inbound"]["note"] == "x"


def test_a_rate_below_one_is_refused() -> None:
    with pytest.raises(ValidationError):
        EpiloopConfig.model_validate({"limits": {"inbound": {"burst": 0}}})
