"""Sending Rasa's replies (text, buttons, image, custom) to a Telegram chat."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup

from channels.telegram import texts
from channels.telegram.keyboards import PayloadCache, inline_keyboard, location_keyboard
from huimin.rasa_client import RasaReply

log = logging.getLogger(__name__)
MESSAGE_LIMIT = 4096  # characters in one Telegram text message


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line breaks where possible so each piece fits one message."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        pieces.append(rest)
    return pieces


class ReplySender:
    def __init__(self, cache: PayloadCache) -> None:
        self._cache = cache

    async def send_all(self, bot: Bot, chat_id: int, replies: list[RasaReply]) -> None:
        for reply in replies:
            await self.send_one(bot, chat_id, reply)

    async def send_one(self, bot: Bot, chat_id: int, reply: dict[str, Any]) -> None:
        text = str(reply.get("text") or "")
        buttons = reply.get("buttons") or []
        markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
        if isinstance(buttons, list):
            markup = location_keyboard(buttons) or inline_keyboard(buttons, self._cache)
        if text or markup:
            await self._send_text(bot, chat_id, text or texts.CHOOSE, markup)
        image = reply.get("image")
        if isinstance(image, str) and image:
            await bot.send_photo(chat_id=chat_id, photo=image)
        attachment = reply.get("attachment")
        if isinstance(attachment, str) and attachment:
            await self._send_text(bot, chat_id, attachment, None)
        custom = reply.get("custom")
        if isinstance(custom, dict) and custom:
            await self._send_custom(bot, chat_id, custom)

    async def _send_custom(self, bot: Bot, chat_id: int, custom: dict[str, Any]) -> None:
        """Custom payloads the bridge understands: text/buttons/image, or a link (url, title)."""
        if custom.get("text") or custom.get("buttons") or custom.get("image"):
            await self.send_one(
                bot, chat_id, {key: custom.get(key) for key in ("text", "buttons", "image")}
            )
            return
        url = custom.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            title = str(custom.get("title") or "打开链接")
            markup = inline_keyboard([{"title": title, "payload": url}], self._cache)
            await self._send_text(bot, chat_id, title, markup)
            return
        log.info("custom reply without a Telegram rendering ignored (keys: %s)", sorted(custom))

    async def _send_text(
        self,
        bot: Bot,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None,
    ) -> None:
        pieces = split_text(text)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await bot.send_message(
                chat_id=chat_id, text=piece, reply_markup=markup if last else None
            )
