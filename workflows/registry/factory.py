"""Choose the registry and verifier from settings (HUIMIN_REGISTRY_PROVIDER)."""

from __future__ import annotations

from huimin.settings import Settings
from workflows.registry.base import CertificateRegistry, EconomicVerifier, HouseholdRegistry
from workflows.registry.http import HttpCertificates, HttpRegistry, HttpVerifier
from workflows.registry.local import LocalCertificates, LocalRegistry, LocalVerifier


def _http_target(settings: Settings) -> tuple[str, str | None]:
    if not settings.registry_base_url:
        raise ValueError(
            "HUIMIN_REGISTRY_PROVIDER=http 时必须设置 HUIMIN_REGISTRY_BASE_URL"
            " (registry_base_url is required for the http provider)"
        )
    token = settings.registry_token.get_secret_value() if settings.registry_token else None
    return settings.registry_base_url, token or None


def make_registry(settings: Settings) -> HouseholdRegistry:
    if settings.registry_provider == "http":
        base_url, token = _http_target(settings)
        return HttpRegistry(base_url, token, timeout_seconds=settings.registry_timeout_seconds)
    return LocalRegistry()


def make_verifier(settings: Settings) -> EconomicVerifier:
    if settings.registry_provider == "http":
        base_url, token = _http_target(settings)
        return HttpVerifier(base_url, token, timeout_seconds=settings.registry_timeout_seconds)
    return LocalVerifier()


def make_certificates(settings: Settings) -> CertificateRegistry:
    if settings.registry_provider == "http":
        base_url, token = _http_target(settings)
        return HttpCertificates(base_url, token, timeout_seconds=settings.registry_timeout_seconds)
    return LocalCertificates()
