"""Knowledge base: policy documents, idempotent ingestion, hybrid retrieval, cited answers.

``knowledge.ask(question)`` uses one lazily built :class:`KnowledgeService` from the
process settings; build ``KnowledgeService(settings)`` yourself to choose them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.models import Answer
    from knowledge.service import KnowledgeService

__all__ = ["ask", "get_service"]

_service: KnowledgeService | None = None
_lock = threading.Lock()


def get_service() -> KnowledgeService:
    """The process-wide service, built on first use from ``huimin.settings.get_settings()``."""
    global _service
    with _lock:
        if _service is None:
            from huimin.settings import get_settings
            from knowledge.service import KnowledgeService

            _service = KnowledgeService(get_settings())
        return _service


def ask(question: str, audience: str = "resident") -> Answer:
    """Answer a question from the policy documents (see :class:`knowledge.models.Answer`)."""
    return get_service().ask(question, audience=audience)
