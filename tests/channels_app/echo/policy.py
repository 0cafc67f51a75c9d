"""Echo's access rules: only direct messages, from the senders in `allowFrom`."""

from __future__ import annotations

from agents.inbound import InboundMessage
from channels_app.policy import Decision
from channels_app.policy.dm import PairingStore, decide_dm
from config.schema import EpiloopConfig
from tests.channels_app.echo.schema import EchoConfig, section


def decide(inbound: InboundMessage, config: EpiloopConfig, store: PairingStore) -> Decision:
    echo = section(config) or EchoConfig()
    if inbound.chat_kind != "dm":
        return Decision.drop("echo answers direct messages only")
    return decide_dm(inbound, policy="allowlist", allow_from=echo.allow_from, store=store)
