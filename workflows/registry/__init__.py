"""一证通办 household-registry lookup and 一键核对 economic verification, behind interfaces."""

from workflows.registry.base import EconomicVerifier, HouseholdRegistry, RegistryUnavailableError
from workflows.registry.factory import make_registry, make_verifier
from workflows.registry.http import HttpRegistry, HttpVerifier
from workflows.registry.local import DEFAULT_DATA_FILE, LocalRegistry, LocalVerifier
from workflows.registry.models import (
    KIND_LABELS,
    RegistryHousehold,
    RegistryMember,
    VerificationItem,
    VerificationReport,
)

__all__ = [
    "DEFAULT_DATA_FILE",
    "KIND_LABELS",
    "EconomicVerifier",
    "HouseholdRegistry",
    "HttpRegistry",
    "HttpVerifier",
    "LocalRegistry",
    "LocalVerifier",
    "RegistryHousehold",
    "RegistryMember",
    "RegistryUnavailableError",
    "VerificationItem",
    "VerificationReport",
    "make_registry",
    "make_verifier",
]
