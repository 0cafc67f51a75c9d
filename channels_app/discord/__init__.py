"""Discord channel. Only this package imports `discord` (and only `client.py`, lazily)."""
