from tests.fakes.discord.server import FakeDiscord

__all__ = ["FakeDiscord"]
