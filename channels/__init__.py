"""Channels: the Telegram bridge, QR codes and the pieces they share (Rasa and API clients)."""
