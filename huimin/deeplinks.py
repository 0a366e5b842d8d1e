"""Deep-link payloads ("码上办"): what a `start` payload means to the dialogue.

The same payloads are used by Telegram (`https://t.me/<bot>?start=<payload>`), the web chat
(`/chat?start=<payload>`) and the printed QR codes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from huimin.townships import Township, all_townships, by_code

STATION_PREFIX = "station_"
# Telegram allows A-Z, a-z, 0-9, _ and - in a start payload, up to 64 characters.
_PAYLOAD_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
GREETING = "/greet"


@dataclass(frozen=True)
class Service:
    payload: str  # the start payload
    intent_message: str  # what is sent to Rasa
    label: str  # shown on printed codes


SERVICES: tuple[Service, ...] = (
    Service("apply", "/apply_assistance", "申请救助(一件事联办)"),
    Service("status", "/check_status", "查询办理进度"),
    Service("elder", "/ask_elder_service", "养老服务咨询"),
    Service("human", "/request_human", "转人工服务"),
)


def station_payload(township: Township) -> str:
    return f"{STATION_PREFIX}{township.code}"


def station_message(township: Township) -> str:
    slots = json.dumps({"township": township.name}, ensure_ascii=False)
    return f"/inform{slots}"


def rasa_message_for(payload: str | None) -> str:
    """The message sent to Rasa for a start payload; a greeting when it is missing or unknown."""
    if not payload or not _PAYLOAD_SHAPE.match(payload):
        return GREETING
    for service in SERVICES:
        if service.payload == payload:
            return service.intent_message
    if payload.startswith(STATION_PREFIX):
        township = by_code(payload.removeprefix(STATION_PREFIX))
        if township is not None:
            return station_message(township)
    return GREETING


def all_payloads() -> list[tuple[str, str]]:
    """(payload, label) for every service and every township service station."""
    items = [(service.payload, service.label) for service in SERVICES]
    items += [(station_payload(t), f"{t.name}服务站") for t in all_townships()]
    return items
