"""Checks of who may talk to the gateway and what it talks to: bind and gateway auth
(E010, E005, E006, W004), a key for every model in use (E007), a token for every enabled
channel (E008). They reuse the code rungateway, the agents and the channels run on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from config.schema import AuthConfig, EpiloopConfig
from gateway.doctor.base import Context, Finding

WEAK_TOKEN_LENGTH = 24


def check_gateway_auth(ctx: Context) -> list[Finding]:
    """E010 bad bind; E005 no auth off loopback; E006/W004 a token under 24 characters."""
    from gateway import auth
    from gateway.bind import BindError, resolve_bind

    cfg = ctx.config
    if cfg is None:
        return []
    gw = cfg.gateway
    # fly.toml starts rungateway with `--bind lan` (a flag this process cannot see): the only
    # way Fly's proxy reaches the gateway.
    flag = "lan" if ctx.fly_app else None
    try:
        bind = resolve_bind(flag, gw.bind, gw.custom_bind_host)
    except BindError as exc:
        return [Finding("epiloop.E010", str(exc), "fix gateway.bind / EPILOOP_GATEWAY_BIND")]
    token = gw.auth.token if isinstance(gw.auth.token, str) else None
    password = gw.auth.password if isinstance(gw.auth.password, str) else None
    try:
        # As if off loopback: never generates the loopback token file as a side effect.
        effective = auth.resolve_auth(None, token, password, bind.mode, loopback=False)
    except auth.AuthRefused as exc:
        if bind.is_loopback:
            return []  # rungateway generates a strong token into the state dir
        return [
            Finding(
                "epiloop.E005",
                f"bind {bind.mode} ({bind.host}) has no gateway token or password: {exc}",
                "set EPILOOP_GATEWAY_TOKEN (a Fly secret) or run `doctor --fix` to write a "
                "strong gateway.auth.token into the config",
            )
        ]
    if not effective.token or len(effective.token) >= WEAK_TOKEN_LENGTH:
        return []
    where = "reachable from other machines" if not bind.is_loopback else "on loopback"
    return [
        Finding(
            "epiloop.E006" if not bind.is_loopback else "epiloop.W004",
            f"the gateway token has {len(effective.token)} characters (under "
            f"{WEAK_TOKEN_LENGTH}) and the gateway is {where} (bind {bind.mode})",
            "use a long random token, e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'",
        )
    ]


@contextmanager
def applied(cfg: EpiloopConfig) -> Iterator[None]:
    """Run the agents code (which reads the applied config) against `cfg`, then put back
    what this process had."""
    from config import runtime

    previous = runtime.current()
    runtime.set_current(cfg)
    try:
        yield
    finally:
        runtime.set_current(previous)


def models_in_use() -> dict[str, list[str]]:
    """`provider/model` -> agents using it (primaries and fallbacks, defaults included)."""
    from agents import agentconf

    used: dict[str, list[str]] = {}
    for agent_id in agentconf.agent_ids():
        for ref in agentconf.candidates(agent_id):
            used.setdefault(str(ref), []).append(agent_id)
    return used


def stored_secrets_readable() -> bool:
    """Whether the auth profile table (encrypted API keys) exists in the database yet."""
    from django.db import DatabaseError, connection

    from agents.models import AuthProfile

    try:
        return AuthProfile._meta.db_table in connection.introspection.table_names()
    except DatabaseError:
        return False


def check_model_keys(ctx: Context) -> list[Finding]:
    from django.db import DatabaseError

    from agents import keys
    from agents.agentconf import ModelRef
    from agents.providers import ProviderError

    cfg = ctx.config
    if cfg is None:
        return []
    if cfg.auth.profiles and not stored_secrets_readable():
        # No table yet (`check --deploy`, which does not migrate, on a state dir the gateway
        # never ran in), so no stored key: judge env and config.
        cfg = cfg.model_copy(update={"auth": AuthConfig()})
    found = []
    with applied(cfg):
        keys.forget()  # endpoints cached for another config must not answer for this one
        failing: dict[str, str] = {}
        for ref, agents in models_in_use().items():
            provider = ModelRef.parse(ref).provider
            if provider not in failing:
                try:
                    keys.resolve(provider)
                    failing[provider] = ""
                except ProviderError as exc:
                    failing[provider] = str(exc)
                except DatabaseError as exc:
                    failing[provider] = f"auth profile secrets unreadable ({exc})"
            if failing[provider]:
                found.append(
                    Finding(
                        "epiloop.E007",
                        f"model {ref} (agent {', '.join(agents)}): {failing[provider]}",
                        f"give {provider} a key, or drop {ref} from the agent's model and "
                        "fallbacks",
                    )
                )
    keys.forget()
    return found


def channel_token_problems(cfg: EpiloopConfig) -> dict[str, str]:
    """Enabled channel -> why it has no token (only channels with a problem)."""
    from channels_app import registry

    problems = {}
    for name in registry.names():
        why = registry.platform(name).token_problem(cfg)
        if why:
            problems[name] = why
    return problems


def check_channel_tokens(ctx: Context) -> list[Finding]:
    cfg = ctx.config
    if cfg is None:
        return []
    return [
        Finding(
            "epiloop.E008",
            f"{name} is enabled but cannot start: {why}",
            f"set the token (in the file, as ${{VAR}}, or in the environment) or set "
            f"channels.{name}.enabled to false",
        )
        for name, why in channel_token_problems(cfg).items()
    ]
