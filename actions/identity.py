"""The channel identity behind a Rasa sender id: ``<channel>:<user id>``.

``telegram:12345``, ``wechat:<openid>`` and ``web:abc`` are residents;
``counter:<staff username>:<uuid>`` is a staff member entering an application at the counter for
a resident. Anything else (e.g. ``rasa shell``'s ``default``) is treated as a web user with the
whole id.
"""

from __future__ import annotations

from dataclasses import dataclass

KNOWN_CHANNELS = ("telegram", "wechat", "web", "counter")


@dataclass(frozen=True)
class ChannelIdentity:
    channel: str
    channel_user_id: str
    staff_username: str | None = None

    @property
    def is_counter(self) -> bool:
        return self.channel == "counter"


def parse_sender(sender_id: str | None) -> ChannelIdentity:
    value = (sender_id or "").strip()
    channel, sep, rest = value.partition(":")
    if not sep or channel not in KNOWN_CHANNELS or not rest:
        return ChannelIdentity("web", value or "anonymous")
    if channel == "counter":
        staff, sep2, session = rest.partition(":")
        if sep2 and staff and session:
            return ChannelIdentity("counter", session, staff)
        return ChannelIdentity("counter", rest, rest)
    return ChannelIdentity(channel, rest)
