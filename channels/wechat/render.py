"""Rasa's replies as WeChat text: buttons become numbered choices (the resident answers "1",
"2", …) or ``<a href>`` links; one passive reply carries the whole turn where it fits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from channels.wechat import texts
from channels.wechat.store import KeyValueStore

PASSIVE_LIMIT_BYTES = 2000  # WeChat's passive text limit is 2048 bytes of content
CUSTOM_LIMIT_BYTES = 2000  # one 客服 text message
CHOICE_TTL_SECONDS = 48 * 3600
_NUMBER = re.compile(r"^\s*([0-9０-９]{1,2})\s*[.。、]?\s*$")


@dataclass
class Rendered:
    text: str = ""
    choices: list[str] = field(default_factory=list)  # payloads, "1" is choices[0]


def _link(url: str, title: str) -> str:
    safe = title.replace("<", "").replace(">", "")
    return f'<a href="{url}">{safe}</a>'


def render(replies: Iterable[dict[str, Any]]) -> Rendered:
    """All of a turn's replies as one text; the last reply's buttons are the choices."""
    parts: list[str] = []
    choices: list[str] = []
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict) and custom:
            reply = {**reply, **{k: custom.get(k) for k in ("text", "buttons", "image")}}
            url = custom.get("url")
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                parts.append(_link(url, str(custom.get("title") or "打开链接")))
        text = str(reply.get("text") or "").strip()
        if text:
            parts.append(text)
        for key in ("image", "attachment"):
            value = reply.get(key)
            if isinstance(value, str) and value.startswith(("https://", "http://")):
                parts.append(_link(value, "查看图片" if key == "image" else "查看附件"))
        buttons = reply.get("buttons")
        if isinstance(buttons, list) and buttons:
            lines, choices = _numbered(buttons)
            if lines:
                parts.append("\n".join(lines))
    return Rendered("\n\n".join(parts), choices)


def _numbered(buttons: list[Any]) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    choices: list[str] = []
    links: list[str] = []
    for button in buttons:
        if not isinstance(button, dict):
            continue
        title = str(button.get("title") or button.get("payload") or "").strip()
        payload = str(button.get("payload") or title).strip()
        if not title:
            continue
        if payload.startswith(("https://", "http://")):
            links.append(_link(payload, title))
            continue
        choices.append(payload)
        lines.append(f"{len(choices)}. {title}")
    if lines:
        lines.insert(0, texts.CHOICES_HINT)
    return lines + links, choices


def split(text: str, limit_bytes: int) -> list[str]:
    """Pieces of at most ``limit_bytes`` UTF-8 bytes, cut at line breaks where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest.encode("utf-8")) > limit_bytes:
        cut = len(rest.encode("utf-8")[:limit_bytes].decode("utf-8", errors="ignore"))
        line = rest.rfind("\n", 0, cut)
        cut = line if line > 0 else cut
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        pieces.append(rest)
    return pieces


def choice_number(text: str) -> int | None:
    """1-based number when the text is only a number ("1", "２", "3." …)."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    digits = match.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(digits)


class Choices:
    """The numbered choices last offered to each openid (in the bridge's store)."""

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    async def offer(self, openid: str, payloads: list[str]) -> None:
        if payloads:
            await self._store.set(f"choices:{openid}", json.dumps(payloads), CHOICE_TTL_SECONDS)
        else:
            await self._store.delete(f"choices:{openid}")

    async def resolve(self, openid: str, text: str) -> str:
        """The payload of a numbered answer, else the text as typed."""
        number = choice_number(text)
        if number is None:
            return text
        raw = await self._store.get(f"choices:{openid}")
        payloads = json.loads(raw) if raw else []
        if 1 <= number <= len(payloads):
            return str(payloads[number - 1])
        return text
