"""Dependencies shared with the registry endpoint: the one registry object on app.state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from workflows.deps import kept_on_app
from workflows.registry import HouseholdRegistry, make_registry


def app_registry(request: Request) -> HouseholdRegistry:
    """``app.state.registry`` (tests may set it), made from settings on first use."""
    return kept_on_app(request, "registry", lambda: make_registry(request.app.state.settings))


def oidc_client(request: Request) -> Any:
    """The Authlib client for the configured provider, kept per configuration."""
    from workflows.identity.adapters.oidc import make_client

    settings = request.app.state.settings
    key = (settings.oidc_issuer, settings.oidc_client_id)
    clients: dict[tuple[str | None, str | None], Any] = kept_on_app(request, "oidc_clients", dict)
    if key not in clients:
        clients[key] = make_client(settings)
    return clients[key]


RegistryDep = Annotated[HouseholdRegistry, Depends(app_registry)]
