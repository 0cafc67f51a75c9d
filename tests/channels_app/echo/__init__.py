"""A loopback chat platform that exists only in the tests: one folder plus one registry line
(`registry.PLATFORMS["echo"] = "tests.channels_app.echo"`) make it a platform like Discord
and Telegram. Messages are pushed in with `EchoAdapter.receive` and what the bot sends is
kept in `EchoAdapter.outbox` (errbot's test backend, in small)."""
