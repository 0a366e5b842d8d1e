"""What identifies a conversation in the analytics tables, and which channel and week it is in.

The raw sender id (``telegram:<chat id>``, ``wechat:<openid>``, …) is never stored: the sender
key and the conversation key are HMAC-SHA256 with ``HUIMIN_ANALYTICS_HMAC_KEY``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from huimin.local_time import LOCAL_TZ

# Sender id prefixes set by the project's channels (ARCHITECTURE.md "Identities"): every channel
# reaches Rasa through its REST channel, so Rasa's input_channel says "rest" for all of them.
KNOWN_CHANNELS: frozenset[str] = frozenset({"telegram", "wechat", "web", "counter"})
CHANNEL_LABELS: dict[str, str] = {
    "telegram": "Telegram",
    "wechat": "微信公众号",
    "web": "网页聊天",
    "counter": "窗口代办",
    "rest": "其他(REST)",
}
MAX_CHANNEL_LENGTH = 32


def _digest(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def sender_key(secret: bytes, sender_id: str) -> str:
    return _digest(secret, "sender\x00" + sender_id)


def conversation_key(secret: bytes, sender_id: str, started_at: float) -> str:
    """One conversation = one Rasa session of one sender, named by its start timestamp."""
    return _digest(secret, f"session\x00{sender_id}\x00{started_at!r}")


def channel_of(sender_id: str, input_channel: object = None) -> str | None:
    """The channel from the project's sender id prefix, else Rasa's ``input_channel``."""
    prefix = sender_id.split(":", 1)[0] if ":" in sender_id else ""
    if prefix in KNOWN_CHANNELS:
        return prefix
    if isinstance(input_channel, str) and input_channel:
        return input_channel[:MAX_CHANNEL_LENGTH]
    return None


def moment(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


def week_start(when: dt.datetime) -> dt.date:
    """Monday of the ISO week, in the district's time zone (Asia/Shanghai)."""
    local = when.astimezone(LOCAL_TZ).date()
    return local - dt.timedelta(days=local.weekday())


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
