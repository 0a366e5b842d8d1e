"""Resuming the resident's Rasa conversation once staff release a hand-off.

The assistant paused the conversation (``ConversationPaused``) when it opened the hand-off;
Rasa ignores that sender's messages until a ``resume`` event is appended to its tracker.
"""

from __future__ import annotations

import logging
from typing import Protocol

import httpx
from fastapi import Request

from huimin.rasa_client import conversation_segment

log = logging.getLogger(__name__)
RESUME_TIMEOUT_SECONDS = 5.0


class ConversationResumer(Protocol):
    def resume(self, conversation_id: str) -> bool:
        """Resume the paused conversation; ``False`` if that did not happen (never raises)."""
        ...


class RasaConversationResumer:
    """``POST {rasa_url}/conversations/{id}/tracker/events?token=...`` with
    ``{"event": "resume"}`` (Rasa's HTTP API is behind ``--auth-token``)."""

    def __init__(
        self, rasa_url: str, timeout: float = RESUME_TIMEOUT_SECONDS, *, token: str | None = None
    ) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.timeout = timeout
        self.params = {"token": token} if token else {}

    def resume(self, conversation_id: str) -> bool:
        segment = conversation_segment(conversation_id)
        url = f"{self.rasa_url}/conversations/{segment}/tracker/events"
        try:
            answer = httpx.post(
                url, json={"event": "resume"}, params=self.params, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            # No conversation id in the log: it carries the resident's channel user id.
            log.warning(
                "handoff release: Rasa unreachable, conversation not resumed (%s)",
                type(exc).__name__,
            )
            return False
        if answer.status_code >= 400:
            log.warning(
                "handoff release: Rasa answered %s, conversation not resumed", answer.status_code
            )
            return False
        return True


def get_resumer(request: Request) -> ConversationResumer:
    """``app.state.conversation_resumer`` if set (tests), else one built from the settings."""
    override: ConversationResumer | None = getattr(request.app.state, "conversation_resumer", None)
    if override is not None:
        return override
    settings = request.app.state.settings
    return RasaConversationResumer(
        settings.rasa_url, token=settings.rasa_auth_token.get_secret_value()
    )
