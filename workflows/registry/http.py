"""Adapters for the government data exchange over HTTP (the real border; LocalRegistry is the fake).

The exchange is expected to offer (JSON, ``Authorization: Bearer <token>``; ID numbers travel in
the body, never in the URL, so they stay out of access logs):

- ``POST {base}/households/lookup`` ``{"id_number"}`` → ``{"found": bool, "household": {...}|null}``
  (a 404 also means not found); a member may carry ``"mobile"`` (the mobile number on record,
  used only to send identity-verification codes; never passed on to the dialogue);
- ``POST {base}/verifications`` ``{"id_numbers": [...]}`` → ``{"checked_at", "items": [...]}``,
  with the shapes of ``workflows.registry.models``;
- ``POST {base}/certificates`` ``{"id_numbers": [...]}`` → ``{"certificates": [...]}``
  (低保/特困/低保边缘 certificates on record, shaped as ``models.Certificate``).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from huimin.idcard import mask
from workflows.registry.base import RegistryUnavailableError
from workflows.registry.ids import checked_id, checked_ids
from workflows.registry.models import Certificate, RegistryHousehold, VerificationReport

log = logging.getLogger(__name__)

REGISTRY_SYSTEM = "户籍信息系统"
VERIFICATION_SYSTEM = "经济状况核对系统"
CERTIFICATE_SYSTEM = "救助对象认定系统"


class _LookupAnswer(BaseModel):
    found: bool
    household: RegistryHousehold | None = None


class _CertificatesAnswer(BaseModel):
    certificates: list[Certificate]


class _ExchangeClient:
    """POST JSON to the exchange; every failure becomes RegistryUnavailableError in Chinese."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout_seconds: float,
        system: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self.timeout_seconds = timeout_seconds
        self.system = system
        self._transport = transport

    def post(self, path: str, body: dict[str, Any], *, not_found_ok: bool = False) -> Any:
        try:
            with httpx.Client(
                timeout=self.timeout_seconds, headers=self._headers, transport=self._transport
            ) as client:
                response = client.post(self.base_url + path, json=body)
        except httpx.TimeoutException:
            log.warning("%s %s timed out after %ss", self.system, path, self.timeout_seconds)
            raise RegistryUnavailableError(
                f"{self.system}响应超时(超过{self.timeout_seconds:g}秒),请稍后重试;"
                "急需办理的,请携带户口簿、身份证到乡镇(街道)窗口"
            ) from None
        except httpx.HTTPError as exc:
            log.warning("%s %s unreachable: %s", self.system, path, type(exc).__name__)
            raise RegistryUnavailableError(
                f"暂时无法连接{self.system},请稍后重试;急需办理的,请携带户口簿、身份证到乡镇(街道)窗口"
            ) from None
        if not_found_ok and response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            log.error("%s %s refused access: HTTP %d", self.system, path, response.status_code)
            raise RegistryUnavailableError(
                f"{self.system}拒绝访问(HTTP {response.status_code}),"
                "请联系系统管理员检查接口令牌(HUIMIN_REGISTRY_TOKEN)"
            )
        if response.status_code >= 400:
            log.warning("%s %s answered HTTP %d", self.system, path, response.status_code)
            raise RegistryUnavailableError(
                f"{self.system}返回错误(HTTP {response.status_code}),请稍后重试"
            )
        try:
            return response.json()
        except ValueError:
            raise self.bad_answer(path) from None

    def bad_answer(self, path: str) -> RegistryUnavailableError:
        log.error("%s %s answered in an unexpected format", self.system, path)
        return RegistryUnavailableError(f"{self.system}返回的数据格式无法识别,请联系系统管理员")


class _ExchangeAdapter:
    """One government system over HTTP: the subclass names the system (for errors and logs)."""

    system: str

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = _ExchangeClient(
            base_url,
            token,
            timeout_seconds=timeout_seconds,
            system=self.system,
            transport=transport,
        )


class HttpRegistry(_ExchangeAdapter):
    system = REGISTRY_SYSTEM

    def lookup(self, id_number: str) -> RegistryHousehold | None:
        number = checked_id(id_number)
        path = "/households/lookup"
        payload = self._client.post(path, {"id_number": number}, not_found_ok=True)
        if payload is None:
            log.info("registry lookup %s: none (404)", mask(number))
            return None
        try:
            answer = _LookupAnswer.model_validate(payload)
        except ValidationError:
            raise self._client.bad_answer(path) from None
        if answer.found and answer.household is None:
            raise self._client.bad_answer(path)
        log.info("registry lookup %s: %s", mask(number), "found" if answer.found else "none")
        return answer.household if answer.found else None


class HttpVerifier(_ExchangeAdapter):
    system = VERIFICATION_SYSTEM

    def verify(self, id_numbers: list[str]) -> VerificationReport:
        numbers = checked_ids(id_numbers)
        path = "/verifications"
        payload = self._client.post(path, {"id_numbers": numbers})
        try:
            report = VerificationReport.model_validate(payload)
        except ValidationError:
            raise self._client.bad_answer(path) from None
        log.info("verification of %s: %d items", [mask(n) for n in numbers], len(report.items))
        return report


class HttpCertificates(_ExchangeAdapter):
    system = CERTIFICATE_SYSTEM

    def certificates(self, id_numbers: list[str]) -> list[Certificate]:
        numbers = checked_ids(id_numbers)
        path = "/certificates"
        payload = self._client.post(path, {"id_numbers": numbers})
        try:
            answer = _CertificatesAnswer.model_validate(payload)
        except ValidationError:
            raise self._client.bad_answer(path) from None
        asked = set(numbers)
        found = [c for c in answer.certificates if c.id_number in asked]
        log.info("certificates of %s: %d", [mask(n) for n in numbers], len(found))
        return found
