"""Fuyang District's townships (NBS statistical division codes, data as of 2022-10-31)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "townships.csv"
DISTRICT_CODE = "330111"
DISTRICT_NAME = "富阳区"


@dataclass(frozen=True)
class Township:
    code: str  # 12-digit statistical code, e.g. 330111001000
    name: str  # e.g. 富春街道
    kind: str  # 街道 / 镇 / 乡

    @property
    def short_name(self) -> str:
        """The name without its 街道/镇/乡 suffix (what people often say)."""
        return self.name.removesuffix(self.kind)


@lru_cache(maxsize=1)
def all_townships() -> tuple[Township, ...]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return tuple(
            Township(row["code"], row["name"], row["kind"]) for row in csv.DictReader(handle)
        )


def by_code(code: str) -> Township | None:
    return next((t for t in all_townships() if t.code == code), None)


def from_text(text: str) -> Township | None:
    """Find the township a resident named ("富春街道", "富春", "新登镇"), or by code."""
    value = text.strip()
    if not value:
        return None
    exact = by_code(value)
    if exact:
        return exact
    for township in all_townships():
        if township.name in value:
            return township
    for township in all_townships():
        if len(township.short_name) >= 2 and township.short_name in value:
            return township
    return None


def township_name(code: str | None) -> str:
    """A township's name for a reader: the district's name when none, the code itself if unknown."""
    if code is None:
        return DISTRICT_NAME
    township = by_code(code)
    return township.name if township else code
