"""The evaluation questions (``knowledge/eval/``) and what counts as a right answer.

Five sets: ``questions.jsonl`` (the older set, split by line parity: odd lines dev, even lines
held-out), ``paraphrase.jsonl`` (residents' own words, with its own ``split`` and ``fact``
fields), ``residents-dev.jsonl`` (set ``new2``: more residents' words, all dev, written later
for tuning), ``residents-heldout.jsonl`` (set ``new3``: residents' words written blind by
someone who never saw the retrieval, its data or its results; all held-out) and
``residents-dev2.jsonl`` (set ``new4``: written the same blind way later, all dev, to calibrate
for wording nobody has seen). Only the dev half may be used to choose anything (weights,
thresholds, thesaurus).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from knowledge.numerals import arabic_numerals, simplified

EVAL_DIR = Path(__file__).resolve().parent / "eval"
QUESTIONS_FILE = EVAL_DIR / "questions.jsonl"
PARAPHRASE_FILE = EVAL_DIR / "paraphrase.jsonl"
RESIDENTS_DEV_FILE = EVAL_DIR / "residents-dev.jsonl"
RESIDENTS_HELDOUT_FILE = EVAL_DIR / "residents-heldout.jsonl"
RESIDENTS_DEV2_FILE = EVAL_DIR / "residents-dev2.jsonl"
SETS = ("old", "new", "new2", "new3", "new4")
SPLITS = ("dev", "heldout", "all")


def load_questions(
    path: Path = QUESTIONS_FILE,
    paraphrase: Path | None = PARAPHRASE_FILE,
    residents_dev: Path | None = RESIDENTS_DEV_FILE,
    residents_heldout: Path | None = RESIDENTS_HELDOUT_FILE,
    residents_dev2: Path | None = RESIDENTS_DEV2_FILE,
) -> list[dict[str, Any]]:
    """All sets, each row with ``set`` (old/new/new2/new3/new4), ``split`` (dev/heldout) and
    ``fact``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for i, row in enumerate(rows, start=1):
        row["split"] = "dev" if i % 2 else "heldout"
        row["set"] = "old"
        row.setdefault("fact", [])
    if paraphrase is not None and paraphrase.is_file():
        for line in paraphrase.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append({**json.loads(line), "set": "new"})
    for path_, qset in (
        (residents_dev, "new2"),
        (residents_heldout, "new3"),
        (residents_dev2, "new4"),
    ):
        if path_ is not None and path_.is_file():
            for line in path_.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rows.append({**json.loads(line), "set": qset})
    return rows


def chosen(rows: list[dict[str, Any]], qset: str, split: str) -> list[dict[str, Any]]:
    return [r for r in rows if qset in ("all", r["set"]) and split in ("all", r["split"])]


def matches(meta: dict[str, Any], expected: list[str]) -> bool:
    """A passage answers when its doc id matches and its section starts with the prefix."""
    for ref in expected:
        doc, _, prefix = ref.partition("#")
        if meta.get("doc_id") == doc and str(meta.get("section", "")).startswith(prefix):
            return True
    return False


_SPACE_RE = re.compile(r"\s+")


def _fact_form(text: str) -> str:
    """Width, script and numerals folded, spaces dropped: 八十周岁 = 80周岁, ８０ = 80."""
    return _SPACE_RE.sub("", arabic_numerals(simplified(unicodedata.normalize("NFKC", text))))


def contains_fact(answer_body: str, facts: list[str]) -> bool:
    """Whether the answer states one of ``facts``, compared in one written form (numerals as
    digits, full/half width, traditional/simplified, spaces), otherwise literally: a fact is
    never matched by a part of it or by a synonym."""
    body = _fact_form(answer_body)
    return any(_fact_form(f) in body for f in facts if f)
