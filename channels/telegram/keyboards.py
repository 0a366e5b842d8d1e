"""Rasa buttons as inline keyboards; payloads longer than callback_data allows get a short id."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

CALLBACK_DATA_LIMIT = 64  # bytes, set by the Bot API
# A button with this payload asks for the resident's location: Telegram has no inline button
# for that, so the message gets a one-time reply keyboard with a "发送位置" button instead, and
# the location the resident sends comes back as ``/share_location{"latitude":…,"longitude":…}``.
LOCATION_PAYLOAD = "/share_location"
_DIRECT = "p:"
_CACHED = "k:"


class PayloadCache:
    """Maps button payloads to callback_data and back.

    Short payloads travel inside the callback data itself; long ones (e.g.
    ``/inform{"township":"富春街道"}`` is already 40+ bytes) are stored under a short hash id in
    a bounded LRU map. An id that fell out of the map decodes to ``None`` (button expired).
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        direct = _DIRECT + payload
        if len(direct.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return direct
        key = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return _CACHED + key

    def decode(self, data: str) -> str | None:
        if data.startswith(_DIRECT):
            return data.removeprefix(_DIRECT)
        if data.startswith(_CACHED):
            return self._payloads.get(data.removeprefix(_CACHED))
        return None


def inline_keyboard(
    buttons: Iterable[dict[str, Any]], cache: PayloadCache
) -> InlineKeyboardMarkup | None:
    """One button a row (easy to hit for older residents); URL payloads become link buttons."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()
        payload = str(button.get("payload") or title).strip()
        if not title:
            continue
        if payload.startswith(("https://", "http://")):
            rows.append([InlineKeyboardButton(title, url=payload)])
        else:
            rows.append([InlineKeyboardButton(title, callback_data=cache.encode(payload))])
    return InlineKeyboardMarkup(rows) if rows else None


def location_keyboard(buttons: Iterable[dict[str, Any]]) -> ReplyKeyboardMarkup | None:
    """A one-time "send my location" keyboard when a button asks for the location, else None."""
    for button in buttons:
        if str(button.get("payload") or "").strip() == LOCATION_PAYLOAD:
            title = str(button.get("title") or "发送位置").strip() or "发送位置"
            return ReplyKeyboardMarkup(
                [[KeyboardButton(title, request_location=True)]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
    return None
