"""Refusals a service raises and the API answers: one base class, one exception handler.

A service (workflows/cases/commands.py, …) raises a ``ServiceError`` subclass carrying the HTTP
status and the Chinese message; ``install(app)`` registers the one handler that turns it into
``{"detail": message, …extra}``. The server-rendered pages catch the same errors and show the
same ``message`` (workflows/staff_pages/cases.py).

A database that cannot be reached (restarting, failed over, pool exhausted) is answered with
503 and ``Retry-After``, not 500: callers retry 503 (the bridge, the actions, idempotent
submissions), and nothing was written, as the transaction did not commit.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger(__name__)
DATABASE_UNAVAILABLE = "数据库暂时不可用,请稍后重试"
DATABASE_RETRY_AFTER_SECONDS = 5


class ServiceError(Exception):
    """A refusal with an HTTP status and a Chinese message the caller can act on."""

    status_code: ClassVar[int] = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def content(self) -> dict[str, Any]:
        """The JSON body of the answer (``detail`` plus what a subclass adds)."""
        return {"detail": self.message}


async def _handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(status_code=exc.status_code, content=jsonable_encoder(exc.content()))


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database went away (connection refused or lost, pool timeout)."""
    log.warning("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
    return JSONResponse(
        status_code=503,
        content={"detail": DATABASE_UNAVAILABLE},
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _handler)
    for unavailable in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(unavailable, _database_unavailable)
