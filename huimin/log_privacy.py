"""Mask resident ID numbers and mobile numbers in every log line of our processes.

Access logs carry paths such as /households/<id>; errors carry values and tracebacks. One
``install()`` per process (API serve, SMS worker and other CLI commands, Telegram bridge, action
server entry) masks:

- every record at creation (a log record factory): the message with its arguments, the
  formatted traceback (``exc_text``) and ``stack_info``, for any logger, child or unrelated,
  and for handlers added later;
- and, as a second line, a filter on the root logger's handlers (and on non-propagating loggers
  that have their own, such as uvicorn's), also used in uvicorn's log config
  (:func:`uvicorn_log_config`).

SQLAlchemy engines are built with ``hide_parameters=True`` (workflows/db.py), so statement
errors do not print bound values in the first place. The masking rule is ``huimin.masking``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any

from huimin.masking import mask_text

MARK = "_huimin_masked"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _scrub(value: object) -> object:
    return mask_text(value) if isinstance(value, str) else value


def _mask_message(record: logging.LogRecord) -> None:
    """Mask msg and string args in place (formatters such as uvicorn's access formatter read
    the args); when the final message would still show a number (an int, a dict, an exception
    object), replace msg by the masked final message."""
    if isinstance(record.msg, str):
        record.msg = mask_text(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_scrub(arg) for arg in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {key: _scrub(arg) for key, arg in record.args.items()}
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: the handler reports it (masked above)
        return
    masked = mask_text(message)
    if masked != message:
        record.msg, record.args = masked, None


def mask_record(record: logging.LogRecord) -> None:
    """Mask a record in place: its message, traceback text and stack text."""
    if getattr(record, MARK, False):
        return
    _mask_message(record)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    setattr(record, MARK, True)


class MaskIdNumbers(logging.Filter):
    """A handler (or logger) filter masking ID and mobile numbers; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class _MaskingFactory:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.inner(*args, **kwargs)
        mask_record(record)
        return record


def _handlers_to_guard() -> list[logging.Handler]:
    handlers = list(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and not logger.propagate:
            handlers.extend(logger.handlers)
    return handlers


def install(level: int = logging.INFO) -> None:
    """Mask every record of this process (idempotent). When the root logger has no handler
    yet, one to stderr is added at ``level`` (so nothing falls through to logging's unfiltered
    last-resort handler)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _MaskingFactory):
        logging.setLogRecordFactory(_MaskingFactory(factory))
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(stderr)
        root.setLevel(level)
    for handler in _handlers_to_guard():
        if not any(isinstance(f, MaskIdNumbers) for f in handler.filters):
            handler.addFilter(MaskIdNumbers())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own log config with the masking filter on every handler and a root handler
    (our ``workflows.*`` loggers and libraries log through it)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask_ids": {"()": f"{__name__}.MaskIdNumbers"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["mask_ids"]
    config["root"] = {"handlers": ["default"], "level": "INFO"}
    return config
