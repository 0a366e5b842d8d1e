"""Mask resident ID numbers in log lines (access logs carry paths such as /households/<id>)."""

from __future__ import annotations

import logging
import re

from huimin.idcard import mask

_ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
LOGGERS = ("uvicorn.access", "uvicorn.error", "workflows")


def mask_text(text: str) -> str:
    return _ID_LIKE.sub(lambda match: mask(match.group(0)), text)


def _scrub(value: object) -> object:
    return mask_text(value) if isinstance(value, str) else value


class MaskIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _scrub(arg) for key, arg in record.args.items()}
        return True


def install() -> None:
    """Attach the filter once to the loggers that may see ID numbers."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskIdNumbers) for f in logger.filters):
            logger.addFilter(MaskIdNumbers())
