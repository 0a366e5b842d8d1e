"""Refusals a service raises and the API answers: one base class, one exception handler.

A service (workflows/cases/commands.py, …) raises a ``ServiceError`` subclass carrying the HTTP
status and the Chinese message; ``install(app)`` registers the one handler that turns it into
``{"detail": message, …extra}``. The server-rendered pages catch the same errors and show the
same ``message`` (workflows/staff_pages/cases.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse


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


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _handler)
