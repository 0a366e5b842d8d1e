"""Check the ID numbers a caller passes before any source is asked."""

from __future__ import annotations

from huimin.idcard import InvalidIdNumber, parse


def checked_id(raw: str) -> str:
    """The canonical number; raises InvalidIdNumber with a Chinese reason."""
    return parse(raw).number


def checked_ids(raw_numbers: list[str]) -> list[str]:
    """Canonical numbers in the given order without repeats; at least one is required."""
    if not raw_numbers:
        raise InvalidIdNumber("请至少提供一个需要核对的身份证号码")
    numbers: list[str] = []
    for raw in raw_numbers:
        number = checked_id(raw)
        if number not in numbers:
            numbers.append(number)
    return numbers
