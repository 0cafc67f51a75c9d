"""`channels.*` in the config schema: each chat platform registers the schema of its own
section (`register_channel("discord", DiscordConfig)`, from its app's `ready()`), so the
core validates every platform's settings without importing any platform.

A registered section is validated into its model and kept in `ChannelsConfig.model_extra`
(read it with `cfg.channels.section(name)`); an absent one reads as `None`. Keys nobody
registered (`slack` before it lands, `defaults`, `_comment_*`) are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from config.schema_base import ConfigModel


@dataclass(frozen=True)
class ChannelSchema:
    name: str
    model: type[ConfigModel]
    # (older spelling, current spelling) pairs the model reads as the current setting, for
    # the OpenClaw import report: `("dm.policy", "dmPolicy")`.
    aliases: tuple[tuple[str, str], ...] = ()


_CHANNELS: dict[str, ChannelSchema] = {}


def register_channel(
    name: str, model: type[ConfigModel], aliases: tuple[tuple[str, str], ...] = ()
) -> None:
    _CHANNELS[name] = ChannelSchema(name, model, aliases)


def channel_schemas() -> dict[str, ChannelSchema]:
    return dict(_CHANNELS)


def _lifted(exc: ValidationError, name: str) -> list[InitErrorDetails]:
    """The section's errors, located under `name` (pydantic adds `channels` in front), with
    their types and context kept, so `config.errors` words them as any other error."""
    lifted: list[InitErrorDetails] = []
    for error in exc.errors():
        detail = InitErrorDetails(
            type=error["type"], loc=(name, *error["loc"]), input=error.get("input")
        )
        if "ctx" in error:
            detail["ctx"] = error["ctx"]
        try:
            ValidationError.from_exception_data("check", [detail])
        except KeyError:  # a custom error type: carry its message as it was worded
            detail["type"] = PydanticCustomError(error["type"], error["msg"], error.get("ctx"))
        except ValidationError:
            pass
        lifted.append(detail)
    return lifted


class ChannelsConfig(ConfigModel):
    @model_validator(mode="after")
    def _platform_sections(self) -> ChannelsConfig:
        extra = self.__pydantic_extra__ if self.__pydantic_extra__ is not None else {}
        problems: list[InitErrorDetails] = []
        for name, schema in _CHANNELS.items():
            if extra.get(name) is None:
                continue
            try:
                extra[name] = schema.model.model_validate(extra[name])
            except ValidationError as exc:
                problems += _lifted(exc, name)
        if problems:
            raise ValidationError.from_exception_data("ChannelsConfig", problems)
        return self

    def section(self, name: str) -> ConfigModel | None:
        """The validated section of platform `name`, or None when the file has none."""
        value = (self.model_extra or {}).get(name)
        return value if isinstance(value, ConfigModel) else None

    def configured(self) -> list[str]:
        """Names of the registered platforms that have a section, in file order."""
        return [name for name in (self.model_extra or {}) if self.section(name) is not None]

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> object:
            # `cfg.channels.discord` in a shell or a test: None when the section is absent.
            try:
                return super().__getattr__(name)
            except AttributeError:
                if name in _CHANNELS:
                    return None
                raise
