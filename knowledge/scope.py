"""Subjects the documents do not cover, listed as data (``data/not_covered.txt``).

Lexical coverage cannot tell "长期护理保险" from the 护理补贴 passage that shares two of its three
words; a short, explicit list of such subjects makes the refusal certain. Each non-comment line
is a regular expression matched against the normalised question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NotCovered:
    patterns: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def load(cls, path: Path) -> NotCovered:
        """Raises ``ValueError`` naming the line of an invalid expression."""
        if not path.is_file():
            return cls()
        patterns = []
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                patterns.append(re.compile(line))
            except re.error as exc:
                raise ValueError(f"{path.name}: line {n} is not a valid expression: {exc}") from exc
        return cls(tuple(patterns))

    def match(self, normalised_question: str) -> str | None:
        """The matching text if the question is about a subject the documents do not cover."""
        for pattern in self.patterns:
            found = pattern.search(normalised_question)
            if found:
                return found.group(0)
        return None
