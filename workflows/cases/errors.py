"""Why a case request is refused: one base class, each error with its HTTP status.

The API answers them through workflows/errors.py's handler; the case page shows ``message``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from workflows.cases.enums import Action, CaseStatus
from workflows.errors import ServiceError


class CaseError(ServiceError):
    """Base of every refusal of a case request."""


class CaseNotFoundError(CaseError):
    """Also for a case outside the caller's township (its existence is not revealed)."""

    status_code: ClassVar[int] = 404
    MESSAGE = "案件不存在或不在您的辖区"

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)


class CaseForbiddenError(CaseError):
    """Another township's case: visible (received or forwarded there) but not theirs to act on."""

    status_code: ClassVar[int] = 403


class RoleNotAllowedError(CaseError):
    status_code: ClassVar[int] = 403


class TransitionNotAllowedError(CaseError):
    """The action is not declared from this status, or its guard refuses it now."""

    status_code: ClassVar[int] = 409

    def __init__(
        self, message: str, allowed: list[Action], *, status: CaseStatus | None = None
    ) -> None:
        super().__init__(message)
        self.allowed = allowed
        self.status = status

    def content(self) -> dict[str, Any]:
        return {
            "detail": self.message,
            "status": self.status.value if self.status is not None else None,
            "allowed_actions": [a.value for a in self.allowed],
        }


class TransitionInputError(CaseError):
    """The action needs fields the request lacks: (location, Chinese message) pairs.

    Answered as a 422 shaped like a validation error (``detail``: loc, msg, type).
    """

    status_code: ClassVar[int] = 422

    def __init__(self, problems: list[tuple[tuple[str, ...], str]]) -> None:
        super().__init__(";".join(message for _, message in problems))
        self.problems = problems

    def content(self) -> dict[str, Any]:
        return {
            "detail": [
                {"loc": ["body", *loc], "msg": message, "type": "value_error"}
                for loc, message in self.problems
            ]
        }


class CaseChangedError(CaseError):
    """Another transition of the same case committed first (the row's version moved on)."""

    status_code: ClassVar[int] = 409
    MESSAGE = "案件已被他人更新,请刷新后重试"

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)
