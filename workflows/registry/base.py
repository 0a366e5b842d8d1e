"""The interfaces the workflows call, and the one error they raise when the source fails."""

from __future__ import annotations

from typing import Protocol

from workflows.registry.models import Certificate, RegistryHousehold, VerificationReport


class RegistryUnavailableError(RuntimeError):
    """The data source could not answer; ``message_zh`` is shown to residents and staff."""

    def __init__(self, message_zh: str) -> None:
        self.message_zh = message_zh
        super().__init__(message_zh)


class HouseholdRegistry(Protocol):
    """一证通办: find the whole household from any member's ID number."""

    def lookup(self, id_number: str) -> RegistryHousehold | None:
        """The household, or None if no household has this member.

        Raises ``huimin.idcard.InvalidIdNumber`` for a malformed number and
        ``RegistryUnavailableError`` when the source cannot answer.
        """
        ...


class EconomicVerifier(Protocol):
    """一键核对: wages, pensions, deposits and vehicles on record for the given people."""

    def verify(self, id_numbers: list[str]) -> VerificationReport:
        """Records found for these people (none found for a person: no items for them).

        Raises ``huimin.idcard.InvalidIdNumber`` and ``RegistryUnavailableError`` as ``lookup``.
        """
        ...


class CertificateRegistry(Protocol):
    """低保/特困/低保边缘 certificates held by a person (the civil affairs system's record)."""

    def certificates(self, id_numbers: list[str]) -> list[Certificate]:
        """Valid certificates of these people (none: an empty list).

        Raises ``huimin.idcard.InvalidIdNumber`` and ``RegistryUnavailableError`` as ``lookup``.
        """
        ...
