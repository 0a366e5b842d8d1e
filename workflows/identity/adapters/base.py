"""What every verification method offers the status endpoint."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from workflows.identity.enums import Method


class VerificationAdapter(Protocol):
    method: Method

    def availability(self, *, subject: str, id_number: str) -> BaseModel:
        """Whether this method can verify ``subject`` for ``id_number`` now (and how)."""
        ...
