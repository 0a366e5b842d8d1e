"""The API's proxy to Rasa (which listens on 127.0.0.1 only) for the web pages.

Replies are turned into a small JSON shape for the page scripts; each button carries a
signature so that only offered payloads can be sent back.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import HTTPException

from huimin.deeplinks import rasa_message_for
from huimin.http_client import ServiceUnavailableError
from huimin.rasa_client import RasaClient
from huimin.settings import Settings
from workflows.staff_pages import signing

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 1000
BUSY = "系统暂时繁忙,请稍后再试。"


def _busy() -> HTTPException:
    return HTTPException(status_code=503, detail=BUSY)


def choose_message(
    settings: Settings,
    sender: str,
    *,
    text: str | None,
    start: str | None,
    payload: str | None,
    signature: str | None,
    trusted: bool = False,
) -> str:
    """What to send to Rasa for one page request; 422 with a Chinese reason if not allowed.

    ``trusted``: counter staff may type "/intent{...}" themselves (to correct a field).
    """
    if payload is not None:
        if not trusted and not signing.verify(settings, sender, payload, signature or ""):
            raise HTTPException(status_code=422, detail="这个按钮已失效,请重新输入")
        return payload
    if text is None:
        return rasa_message_for(start)
    message = text.strip()
    if not message:
        raise HTTPException(status_code=422, detail="请输入内容")
    if len(message) > MAX_MESSAGE_CHARS:
        raise HTTPException(status_code=422, detail=f"消息太长了,请不要超过{MAX_MESSAGE_CHARS}字")
    if message.startswith("/") and not trusted:
        raise HTTPException(status_code=422, detail="请直接输入文字,不要以“/”开头")
    return message


def shape_replies(
    settings: Settings, sender: str, replies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    shaped = []
    for reply in replies:
        buttons = []
        for button in reply.get("buttons") or []:
            title = str(button.get("title") or "")
            payload = str(button.get("payload") or title)
            buttons.append(
                {
                    "title": title,
                    "payload": payload,
                    "signature": signing.sign(settings, sender, payload),
                }
            )
        item: dict[str, Any] = {"text": str(reply.get("text") or ""), "buttons": buttons}
        if isinstance(reply.get("image"), str):
            item["image"] = reply["image"]
        custom = reply.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("url"), str):
            item["link"] = {
                "url": custom["url"],
                "title": str(custom.get("title") or custom["url"]),
            }
        shaped.append(item)
    return shaped


async def send(settings: Settings, sender: str, message: str) -> list[dict[str, Any]]:
    client = RasaClient.from_settings(settings, timeout=30.0)
    try:
        replies = await client.send(sender, message)
    except ServiceUnavailableError as exc:
        log.warning("web chat: Rasa unavailable for %s: %s", sender.split(":")[0], exc)
        raise _busy() from None
    return shape_replies(settings, sender, replies)


async def tracker(settings: Settings, sender: str) -> dict[str, Any]:
    client = RasaClient.from_settings(settings, timeout=10.0)
    try:
        return await client.tracker(sender)
    except ServiceUnavailableError:
        raise _busy() from None


async def set_slot(settings: Settings, sender: str, name: str, value: Any) -> None:
    client = RasaClient.from_settings(settings, timeout=10.0)
    try:
        await client.append_events(sender, [{"event": "slot", "name": name, "value": value}])
    except ServiceUnavailableError:
        raise _busy() from None
