"""Conversation analytics (issue #18): a consumer of Rasa's RabbitMQ event broker that keeps,
per conversation, only which funnel steps were reached — never message text, slot values or the
raw sender id — and the funnel read from it (``GET /api/analytics/funnel``, the dashboard).

- ``steps.py``: the funnel's steps (the application form's questions in the domain's order)
- ``keys.py``: conversation keys (HMAC of the sender id), channel, ISO week in Asia/Shanghai
- ``models.py``: ``analytics_conversations`` and ``analytics_steps`` (unique per step)
- ``record.py``: one Rasa event → rows, idempotent on redelivery
- ``consumer.py``: ``python -m workflows analytics-consume`` (pika, manual ack after commit)
- ``funnel.py``, ``views.py``: the funnel per channel and week with the drop-off step
"""
