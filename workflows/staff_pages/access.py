"""Capability checks for the pages: the same map as the API (workflows/auth/capabilities.py),
answered with the Chinese refusal page instead of JSON."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from workflows.auth.capabilities import REFUSALS, Capability, can
from workflows.auth.models import StaffUser
from workflows.staff_pages.rendering import error_page
from workflows.staff_pages.session import caller_of


def refusal(request: Request, staff: StaffUser, capability: Capability) -> HTMLResponse | None:
    """The 403 page when the staff member lacks the capability, else None."""
    if can(caller_of(staff), capability):
        return None
    return error_page(request, 403, REFUSALS[capability])
