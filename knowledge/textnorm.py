"""Question and passage normalisation: markup, width, case, emoji, synonyms, ages.

The same :class:`Normaliser` is applied to indexed text and to questions, so a resident's word
("户口不在这边", "吃饭补贴", "db") and the document's word ("户籍不在本地", "助餐补贴", "低保")
meet in one vocabulary.
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from knowledge.numerals import arabic_numerals, simplified

_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]{0,200}>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]{0,200}>")
_LINK_RE = re.compile(r"!?\[([^\]]{0,200})\]\([^)]{0,500}\)")
_MD_RE = re.compile(r"https?://\S+|[`*_#>\[\]{}|~]+")
_SPACE_RE = re.compile(r"\s+")
_AGE_RE = re.compile(r"(\d{2,3})\s*(?:多)?(?:周岁|岁|了)")
_CN_AGE_RE = re.compile(r"([六七八九])十(?:[一二三四五六七八九])?(?:多)?(?:周岁|岁)")
_CN_TENS = {"六": 60, "七": 70, "八": 80, "九": 90}
# Characters that carry meaning for the retrieval vocabulary: CJK, letters, digits.
_MEANINGFUL_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def has_meaningful_text(text: str) -> bool:
    return bool(_MEANINGFUL_RE.search(text))


def clean_markup(text: str) -> str:
    """Unescape entities, drop HTML tags, Markdown marks, URLs and control characters."""
    text = html.unescape(text)
    text = _SCRIPT_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    text = _LINK_RE.sub(r" \1 ", text)
    text = _MD_RE.sub(" ", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return _SPACE_RE.sub(" ", text).strip()


def _age_hints(text: str) -> str:
    ages = [int(m.group(1)) for m in _AGE_RE.finditer(text)]
    ages += [_CN_TENS[m.group(1)] for m in _CN_AGE_RE.finditer(text)]
    hints = []
    for age in ages:
        if 80 <= age <= 130:
            hints.append("高龄津贴 80周岁以上 老年人")
        elif 60 <= age < 80:
            hints.append("60周岁以上 老年人")
        elif 0 < age < 16:
            hints.append("未满16周岁 未成年人")
        elif 16 <= age < 18:
            hints.append("未成年人 18周岁")
    return " ".join(hints)


@dataclass(frozen=True)
class SynonymTable:
    pattern: re.Pattern[str] | None
    canonical: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> SynonymTable:
        mapping: dict[str, str] = {}
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line or ":" not in line:
                continue
            head, _, tail = line.partition(":")
            canonical = head.strip()
            mapping.setdefault(canonical.lower(), canonical)
            for variant in tail.split():
                mapping.setdefault(variant.lower(), canonical)
        return cls.from_mapping(mapping)

    @classmethod
    def from_mapping(cls, mapping: dict[str, str]) -> SynonymTable:
        if not mapping:
            return cls(None, {})
        parts = []
        for variant in sorted(mapping, key=len, reverse=True):
            escaped = re.escape(variant)
            if variant.isascii():
                escaped = rf"(?<![a-z0-9]){escaped}(?![a-z0-9])"
            parts.append(escaped)
        return cls(re.compile("|".join(parts)), mapping)

    def apply(self, text: str) -> str:
        """Replace every variant by its canonical word in one left-to-right pass."""
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.canonical[m.group(0)], text)


_QUESTION_ID_RE = re.compile(r"\b[prd]\d{3}\b")


def source_questions(source: str) -> set[str]:
    """Evaluation question ids a thesaurus row names as its origin ("p043 (variant)" -> p043)."""
    return set(_QUESTION_ID_RE.findall(source))


def load_thesaurus(path: Path, *, leave_out: frozenset[str] = frozenset()) -> SynonymTable:
    """The colloquial -> official table (``data/thesaurus.csv``: colloquial, official, source).

    Lines starting with ``#`` are comments. Raises ``ValueError`` naming the line of a row
    without both words, or of a colloquial phrase listed twice with different official terms.
    ``leave_out``: question ids whose rows are skipped (calibration asks a dev question with
    the table it would have had without that question, as a held-out question is asked).
    """
    mapping: dict[str, str] = {}
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        # the table meets questions after NFKC folding, so its words are folded the same way
        colloquial = unicodedata.normalize("NFKC", row.get("colloquial") or "").strip().lower()
        official = unicodedata.normalize("NFKC", row.get("official") or "").strip()
        if not colloquial or not official:
            raise ValueError(f"{path.name}: row {n} needs both colloquial and official")
        if mapping.get(colloquial, official) != official:
            raise ValueError(f"{path.name}: {colloquial!r} is listed twice with different terms")
        if leave_out and source_questions(row.get("source") or "") & leave_out:
            continue
        mapping[colloquial] = official
    return SynonymTable.from_mapping(mapping)


class Normaliser:
    """Turns free text into the canonical form used for indexing and matching.

    Both sides: NFKC width folding, traditional -> simplified, markup removed, lower case,
    synonyms, Chinese numerals -> digits. Questions only: the colloquial thesaurus first (a
    resident's words -> the official term) and age hints.
    """

    def __init__(self, synonyms: SynonymTable, thesaurus: SynonymTable | None = None) -> None:
        self.synonyms = synonyms
        self.thesaurus = thesaurus or SynonymTable(None, {})

    def basic(self, text: str) -> str:
        text = simplified(unicodedata.normalize("NFKC", text))
        return clean_markup(text).lower()

    def passage(self, text: str) -> str:
        return arabic_numerals(self.synonyms.apply(self.basic(text)))

    def question(self, text: str) -> str:
        base = self.basic(text)
        hints = _age_hints(arabic_numerals(base))
        official = self.thesaurus.apply(base)
        canonical = arabic_numerals(self.synonyms.apply(official))
        return f"{canonical} {hints}".strip()
