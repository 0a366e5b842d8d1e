"""一证通办 household-registry lookup, 一键核对 economic verification and the 低保/特困/低保边缘
certificate lookup, behind interfaces."""

from workflows.registry.base import (
    CertificateRegistry,
    EconomicVerifier,
    HouseholdRegistry,
    RegistryUnavailableError,
)
from workflows.registry.factory import make_certificates, make_registry, make_verifier
from workflows.registry.http import HttpCertificates, HttpRegistry, HttpVerifier
from workflows.registry.local import (
    DEFAULT_DATA_FILE,
    LocalCertificates,
    LocalRegistry,
    LocalVerifier,
)
from workflows.registry.models import (
    KIND_LABELS,
    Certificate,
    RegistryHousehold,
    RegistryMember,
    VerificationItem,
    VerificationReport,
)

__all__ = [
    "DEFAULT_DATA_FILE",
    "KIND_LABELS",
    "Certificate",
    "CertificateRegistry",
    "EconomicVerifier",
    "HouseholdRegistry",
    "HttpCertificates",
    "HttpRegistry",
    "HttpVerifier",
    "LocalCertificates",
    "LocalRegistry",
    "LocalVerifier",
    "RegistryHousehold",
    "RegistryMember",
    "RegistryUnavailableError",
    "VerificationItem",
    "VerificationReport",
    "make_certificates",
    "make_registry",
    "make_verifier",
]
