"""The Telegram bridge: Telegram users <-> Rasa's REST channel, uploads to the API, and the
outbox notifier. Build it with :func:`channels.telegram.app.build_application`."""
