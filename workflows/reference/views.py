"""GET /api/townships and GET /api/registry/households/{id_number}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from huimin import townships
from workflows.auth.deps import AnyCaller
from workflows.deps import kept_on_app
from workflows.fields import IdNumber
from workflows.registry import HouseholdRegistry, RegistryUnavailableError, make_registry

router = APIRouter(tags=["reference"])


@router.get("/api/townships")
def list_townships() -> list[dict[str, str]]:
    return [{"code": t.code, "name": t.name, "kind": t.kind} for t in townships.all_townships()]


def _registry(request: Request) -> HouseholdRegistry:
    return kept_on_app(request, "registry", lambda: make_registry(request.app.state.settings))


@router.get("/api/registry/households/{id_number}")
def registry_household(id_number: IdNumber, request: Request, _: AnyCaller) -> dict[str, Any]:
    try:
        household = _registry(request).lookup(id_number)
    except RegistryUnavailableError as exc:
        raise HTTPException(status_code=503, detail=exc.message_zh) from None
    if household is None:
        return {"found": False, "household": None}
    return {"found": True, "household": household.model_dump(mode="json")}
