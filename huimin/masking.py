"""The one rule for masking ID and mobile numbers inside free text.

Standard library only: the Rasa server's environment (.venv-rasa, no pydantic) imports it through
``rasa_addons/masking.py``, and log privacy, the bridge and the actions use it too.
"""

from __future__ import annotations

import re

# 18 characters (17 digits + digit or X) not part of a longer run of digits; \d also matches
# full-width digits.
_ID_RUN = re.compile(r"(?<!\d)\d{17}[\dXxＸｘ](?!\d)")
# Mainland mobile numbers, optionally written 3-4-4 with spaces or dashes, optionally +86.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")


def mask_id_number(number: str) -> str:
    """330111********0116: the first 6 and the last 4 characters stay; short values become stars."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_id_text(text: str) -> str:
    """Every ID-number-like run inside a text masked; the rest stays."""
    return _ID_RUN.sub(lambda match: mask_id_number(match.group(0)), text)


def mask_text(text: str) -> str:
    """ID numbers and mobile numbers inside a text masked (13812345678 -> 138****5678)."""
    return _MOBILE.sub(lambda match: f"{match.group(1)}****{match.group(3)}", mask_id_text(text))
