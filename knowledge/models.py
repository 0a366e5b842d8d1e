"""Plain data types shared by ingestion, retrieval and answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

AUDIENCES = ("resident", "adviser", "staff")
# Region hierarchy: a question about a place sees its own rules and every level above it.
REGION_LEVELS = ("national", "zhejiang", "hangzhou", "fuyang")


@dataclass(frozen=True)
class ChunkDraft:
    """A piece of a document before it is embedded and stored."""

    section: str
    text: str


@dataclass
class Citation:
    n: int
    title: str
    source: str
    section: str
    issuer: str
    effective_date: str
    text: str
    score: float

    def contract_dict(self) -> dict[str, Any]:
        """The CLI contract: exactly these keys."""
        return {
            "title": self.title,
            "source": self.source,
            "section": self.section,
            "effective_date": self.effective_date,
            "text": self.text,
            "score": self.score,
        }


@dataclass
class Answer:
    question: str
    answer: str
    confident: bool
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0

    def contract_dict(self) -> dict[str, Any]:
        """The CLI contract (`python -m knowledge ask --json`)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "confident": self.confident,
            "citations": [c.contract_dict() for c in self.citations],
        }

    def api_dict(self) -> dict[str, Any]:
        """The HTTP contract (docs/API.md): citations also carry n and issuer."""
        return {
            "question": self.question,
            "answer": self.answer,
            "confident": self.confident,
            "citations": [asdict(c) for c in self.citations],
        }
