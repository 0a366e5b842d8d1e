"""Plain data types shared by ingestion, retrieval and answers."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

AUDIENCES = ("resident", "adviser", "staff")
# Region hierarchy: a question about a place sees its own rules and every level above it.
REGION_LEVELS = ("national", "zhejiang", "hangzhou", "fuyang")


EFFECTIVE = "施行"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_label_of(effective_date: str, declared: str | None) -> str:
    """施行 for a full date unless the front matter says what the date is (``date_label``)."""
    if declared:
        return declared
    return EFFECTIVE if _ISO_DATE.match(effective_date) else ""


def date_text(effective_date: str, label: str) -> str:
    if not effective_date or effective_date.startswith("（"):
        return effective_date
    if label == EFFECTIVE:
        return f"{effective_date}起施行"
    return f"{label} {effective_date}" if label else effective_date


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
    doc_number: str = ""  # 文号 (or what the document says instead, e.g. （本库资料未载明文号）)
    date_label: str = ""  # what effective_date is: 施行 only for a real effective date

    def contract_dict(self) -> dict[str, Any]:
        """The CLI contract: exactly these keys (doc_number added after the first version)."""
        return {
            "title": self.title,
            "source": self.source,
            "section": self.section,
            "effective_date": self.effective_date,
            "doc_number": self.doc_number,
            "text": self.text,
            "score": self.score,
        }

    @property
    def dated(self) -> str:
        """The date as a reader should see it: "2021-07-01起施行" only for a real effective
        date; otherwise what the date is ("规划期至2025年…", "整理日期 2026-11-01")."""
        return date_text(self.effective_date, self.date_label)


@dataclass(frozen=True)
class Suggestion:
    """A passage offered when no answer is certain ("您是想问……吗?"): the resident picks one
    and gets the answer from that passage (``ask(..., passage=...)``)."""

    passage: str  # chunk id
    label: str  # what the resident reads on the button (the section heading, shortened)
    title: str
    section: str


@dataclass
class Answer:
    question: str
    answer: str
    confident: bool
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    suggestions: list[Suggestion] = field(default_factory=list)

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
            "citations": [{**asdict(c), "dated": c.dated} for c in self.citations],
            "suggestions": [asdict(s) for s in self.suggestions],
        }
