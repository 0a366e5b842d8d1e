"""Who is calling: an internal service for a channel identity, or a logged-in staff member."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.auth.enums import Role
from workflows.auth.models import StaffUser


@dataclass(frozen=True)
class Caller:
    staff: StaffUser | None  # None: an internal caller holding the internal token

    @property
    def is_internal(self) -> bool:
        return self.staff is None

    @property
    def audit_name(self) -> str:
        return "internal" if self.staff is None else f"staff:{self.staff.username}"

    @property
    def township_scope(self) -> str | None:
        """The township this caller is limited to; None means the whole district."""
        return None if self.staff is None else self.staff.township_code

    @property
    def role(self) -> Role | None:
        return None if self.staff is None else Role(self.staff.role)
