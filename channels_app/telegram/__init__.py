"""The Telegram channel (python-telegram-bot). Only this package imports `telegram`."""
