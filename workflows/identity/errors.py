"""The one error the adapters raise; the views turn it into JSON (4xx/503, Chinese detail)."""

from __future__ import annotations

from typing import Any


class IdentityError(Exception):
    def __init__(
        self,
        status_code: int,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, **self.extra}
