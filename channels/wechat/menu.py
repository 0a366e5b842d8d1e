"""The 自定义菜单 and what each menu click and each scene (QR code) sends to the dialogue."""

from __future__ import annotations

from typing import Any

from huimin.deeplinks import SERVICES, rasa_message_for

# Menu click keys beyond the deep-link payloads (huimin.deeplinks.SERVICES: apply, status,
# elder, human), with the message sent to Rasa.
MENU_ONLY = {
    "ask_policy": "/ask_policy",
    "check_eligibility": "/check_eligibility",
}


def click_message(key: str) -> str | None:
    """The Rasa message of a menu click, None for a key the bridge does not know."""
    if key in MENU_ONLY:
        return MENU_ONLY[key]
    if any(service.payload == key for service in SERVICES):
        return rasa_message_for(key)
    return None


def scene_message(scene: str | None) -> str:
    """The Rasa message of a scanned scene code (码上办): the deep-link payload's."""
    return rasa_message_for(scene or None)


def _click(name: str, key: str) -> dict[str, str]:
    return {"type": "click", "name": name, "key": key}


def menu_definition() -> dict[str, Any]:
    """At most 3 top-level buttons (4 Chinese characters) with up to 5 sub-buttons each."""
    return {
        "button": [
            {
                "name": "政策咨询",
                "sub_button": [
                    _click("问政策", "ask_policy"),
                    _click("测一测", "check_eligibility"),
                    _click("找养老服务", "elder"),
                ],
            },
            {
                "name": "我要办",
                "sub_button": [_click("我要申请", "apply"), _click("查进度", "status")],
            },
            _click("转人工", "human"),
        ]
    }
