"""Masking ID numbers in anything that may reach a log line."""

from __future__ import annotations

import re

from huimin.idcard import mask

_ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def redact(text: str) -> str:
    """Replace every 18-character ID-number-like run with its masked form."""
    return _ID_LIKE.sub(lambda match: mask(match.group(0)), text)
