"""Registry and verification answered from the shipped file of fictitious households.

Deterministic: the same ID number always gives the same household and the same records.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from huimin import townships
from huimin.idcard import InvalidIdNumber, mask, parse
from workflows.registry.ids import checked_id, checked_ids
from workflows.registry.models import (
    Certificate,
    CertificateProgram,
    RegistryHousehold,
    RegistryMember,
    VerificationItem,
    VerificationKind,
    VerificationReport,
)

DEFAULT_DATA_FILE = Path(__file__).parent / "data" / "households.yaml"
log = logging.getLogger(__name__)


class RegistryDataError(ValueError):
    """The data file cannot be used; the message names the file and the entry."""


class _EconomicRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    kind: VerificationKind
    monthly_amount: float | None = None
    value: float | None = None
    note: str = ""


class _CertificateRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    program: CertificateProgram
    number: str
    issued_by: str = ""


class _MemberRecord(RegistryMember):
    model_config = ConfigDict(extra="forbid")
    economic: list[_EconomicRecord] = []
    certificates: list[_CertificateRecord] = []

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        try:
            return parse(value).number
        except InvalidIdNumber as exc:
            raise ValueError(f"身份证号码无效:{exc}") from None


class _HouseholdRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    scenario: str = ""  # for testers; never returned
    hukou_township_code: str
    address: str
    members: list[_MemberRecord]

    @field_validator("hukou_township_code")
    @classmethod
    def _known_township(cls, value: str) -> str:
        if townships.by_code(value) is None:
            raise ValueError(f"乡镇代码 {value} 不是富阳区的乡镇(见 huimin/data/townships.csv)")
        return value

    @model_validator(mode="after")
    def _one_head(self) -> _HouseholdRecord:
        if [m.relation for m in self.members].count("本人") != 1:
            raise ValueError("每户必须有且只有一位“本人”(户主)")
        return self

    def household(self) -> RegistryHousehold:
        return RegistryHousehold(
            hukou_township_code=self.hukou_township_code,
            address=self.address,
            members=[
                RegistryMember(**m.model_dump(exclude={"economic", "certificates"}))
                for m in self.members
            ],
        )


class _DataFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    households: list[_HouseholdRecord]


class LocalData:
    """The parsed file, indexed by every member's ID number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            parsed = _DataFile.model_validate(raw)
        except FileNotFoundError:
            raise RegistryDataError(f"演示户籍数据文件 {path} 不存在") from None
        except yaml.YAMLError as exc:
            raise RegistryDataError(f"演示户籍数据文件 {path} 不是有效的 YAML:{exc}") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise RegistryDataError(
                f"演示户籍数据文件 {path} 中 {where} 有误:{first['msg']}"
            ) from None
        self.households: dict[str, RegistryHousehold] = {}
        self._household_of: dict[str, str] = {}
        self._economic: dict[str, list[_EconomicRecord]] = {}
        self._certificates: dict[str, list[_CertificateRecord]] = {}
        for record in parsed.households:
            if record.key in self.households:
                raise RegistryDataError(f"演示户籍数据文件 {path} 中户编号 {record.key} 重复")
            self.households[record.key] = record.household()
            for member in record.members:
                if member.id_number in self._household_of:
                    raise RegistryDataError(
                        f"演示户籍数据文件 {path} 中身份证号码 {mask(member.id_number)} 重复"
                    )
                self._household_of[member.id_number] = record.key
                self._economic[member.id_number] = member.economic
                self._certificates[member.id_number] = member.certificates

    def household_of(self, id_number: str) -> RegistryHousehold | None:
        key = self._household_of.get(id_number)
        return None if key is None else self.households[key].model_copy(deep=True)

    def economic_of(self, id_number: str) -> list[_EconomicRecord]:
        return self._economic.get(id_number, [])

    def certificates_of(self, id_number: str) -> list[_CertificateRecord]:
        return self._certificates.get(id_number, [])


@lru_cache(maxsize=4)
def load_local_data(path: Path = DEFAULT_DATA_FILE) -> LocalData:
    return LocalData(path)


class LocalRegistry:
    def __init__(self, data_file: Path | None = None) -> None:
        self._data = load_local_data(data_file or DEFAULT_DATA_FILE)

    def lookup(self, id_number: str) -> RegistryHousehold | None:
        number = checked_id(id_number)
        household = self._data.household_of(number)
        log.info("local registry lookup %s: %s", mask(number), "found" if household else "none")
        return household


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LocalVerifier:
    def __init__(
        self, data_file: Path | None = None, *, clock: Callable[[], dt.datetime] = _utc_now
    ) -> None:
        self._data = load_local_data(data_file or DEFAULT_DATA_FILE)
        self._clock = clock

    def verify(self, id_numbers: list[str]) -> VerificationReport:
        numbers = checked_ids(id_numbers)
        items = [
            VerificationItem(id_number=number, **record.model_dump())
            for number in numbers
            for record in self._data.economic_of(number)
        ]
        log.info("local verification of %s: %d items", [mask(n) for n in numbers], len(items))
        return VerificationReport(checked_at=self._clock(), items=items)


class LocalCertificates:
    def __init__(self, data_file: Path | None = None) -> None:
        self._data = load_local_data(data_file or DEFAULT_DATA_FILE)

    def certificates(self, id_numbers: list[str]) -> list[Certificate]:
        numbers = checked_ids(id_numbers)
        found = [
            Certificate(id_number=number, **record.model_dump())
            for number in numbers
            for record in self._data.certificates_of(number)
        ]
        log.info("local certificates of %s: %d", [mask(n) for n in numbers], len(found))
        return found
