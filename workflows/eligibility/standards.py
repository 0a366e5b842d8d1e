"""Dated assistance standards (低保标准, 低保边缘倍数, 人均可支配收入, 财产限额 …) as data.

The shipped file ``data/standards.yaml`` holds SAMPLE figures (``sample: true``, note
"示例值,非官方标准,请替换"): the official Hangzhou/Fuyang yuan figures were not found. To load the
real ones, copy that file, replace the figures (set ``sample: false`` and a ``source``), and set
``HUIMIN_ELIGIBILITY_STANDARDS_FILE=/path/to/standards.yaml``
(``Settings.eligibility_standards_file``).
Standards change without code changes: add an entry with a new ``effective_from`` and close the old
one with ``effective_to``.

Region lookup, most specific first: township code → ``330111:urban``/``330111:rural`` (街道 vs
镇/乡) → district ``330111``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from huimin import townships
from huimin.settings import Settings

DEFAULT_STANDARDS_FILE = Path(__file__).parent / "data" / "standards.yaml"
SAMPLE_NOTE = "示例值,非官方标准,请替换"
PLAN_SHARE_MIN = Decimal("0.30")
PLAN_SHARE_MAX = Decimal("0.50")


class StandardsError(ValueError):
    """A standard is missing for a region and day, or the data file is malformed (Chinese text)."""


class DatedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    value: Any = None
    monthly_per_person: Decimal | None = None
    sample: bool = True
    note: str = ""
    source: str = ""

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    @property
    def figure(self) -> Any:
        return self.monthly_per_person if self.monthly_per_person is not None else self.value


class StandardsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int
    district_code: str
    dibao_standard: list[DatedEntry] = Field(min_length=1)
    edge_multiplier: list[DatedEntry] = Field(min_length=1)
    edge_income_cap_monthly: list[DatedEntry] = Field(default_factory=list)
    disposable_income_annual: list[DatedEntry] = Field(min_length=1)
    urban_consumption_annual: list[DatedEntry] = Field(default_factory=list)
    property_limits: list[DatedEntry] = Field(min_length=1)
    rigid_expenditure_share: list[DatedEntry] = Field(min_length=1)
    temporary_caps_months: list[DatedEntry] = Field(min_length=1)
    elderly_allowance_monthly: list[DatedEntry] = Field(default_factory=list)
    elder_care_subsidy_monthly: list[DatedEntry] = Field(default_factory=list)
    elder_meal_subsidy: list[DatedEntry] = Field(default_factory=list)
    care_consumption_subsidy: list[DatedEntry] = Field(default_factory=list)


class Figure(BaseModel):
    """One resolved figure with its provenance."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: Any
    region: str
    effective_from: dt.date
    effective_to: dt.date | None
    sample: bool
    note: str
    source: str


class ResolvedStandards(BaseModel):
    """Everything the rules need for one region on one day."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    on: dt.date
    region: str
    region_name: str
    dibao: Decimal  # yuan per person per month
    edge_multiplier: Decimal
    edge_cap: Decimal | None
    disposable_annual: Decimal
    urban_consumption_annual: Decimal | None
    monetary_months_per_capita: Decimal
    vehicle_value_max: Decimal | None
    rigid_share: Decimal
    temporary_caps: dict[str, int]
    elderly_allowance: tuple[tuple[int, Decimal], ...]  # (min_age, monthly amount), ascending
    elder_care_subsidy: dict[int, Decimal]
    figures: dict[str, Figure]
    sample_names: frozenset[str] = frozenset()  # figures that are sample values

    @property
    def edge_line(self) -> Decimal:
        line = self.dibao * self.edge_multiplier
        if self.edge_cap is not None:
            line = min(line, self.edge_cap)
        return line

    @property
    def disposable_monthly(self) -> Decimal:
        return self.disposable_annual / 12

    def is_sample(self, *names: str) -> bool:
        return not self.sample_names.isdisjoint(names)

    @property
    def any_sample(self) -> bool:
        return bool(self.sample_names)


def region_chain(region: str | None, district_code: str) -> list[str]:
    """Regions to try, most specific first: township, ``district:urban|rural``, district."""
    if not region or region == district_code:
        return [district_code]
    if region in (f"{district_code}:urban", f"{district_code}:rural"):
        return [region, district_code]
    township = townships.by_code(region)
    if township is None:
        raise StandardsError(f"未知的地区:{region}(应为富阳区乡镇(街道)代码或 {district_code})")
    area = "urban" if township.kind == "街道" else "rural"
    return [region, f"{district_code}:{area}", district_code]


def region_name(region: str, district_code: str) -> str:
    if region == district_code:
        return townships.DISTRICT_NAME
    if region == f"{district_code}:urban":
        return f"{townships.DISTRICT_NAME}(街道)"
    if region == f"{district_code}:rural":
        return f"{townships.DISTRICT_NAME}(镇、乡)"
    township = townships.by_code(region)
    return f"{townships.DISTRICT_NAME}{township.name}" if township else region


class StandardsRepository:
    """Looks up the standards in force for a region on a day (resolved results are cached)."""

    def __init__(self, data: StandardsFile, *, source: str = "") -> None:
        self.data = data
        self.source = source
        self._cache: dict[tuple[str, dt.date], ResolvedStandards] = {}
        self._cache_limit = 4096  # (region, day) pairs; cleared when full

    @classmethod
    def from_file(cls, path: Path) -> StandardsRepository:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise StandardsError(f"无法读取救助标准文件 {path}:{exc}") from exc
        return cls(StandardsFile.model_validate(raw), source=str(path))

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> StandardsRepository:
        return cls(StandardsFile.model_validate(raw), source="<mapping>")

    def _pick(
        self, name: str, chain: list[str], day: dt.date, *, required: bool = True
    ) -> Figure | None:
        entries: list[DatedEntry] = getattr(self.data, name)
        for region in chain:
            for entry in entries:
                if entry.region == region and entry.in_force(day):
                    return Figure(
                        name=name,
                        value=entry.figure,
                        region=entry.region,
                        effective_from=entry.effective_from,
                        effective_to=entry.effective_to,
                        sample=entry.sample,
                        note=entry.note,
                        source=entry.source,
                    )
        if required:
            raise StandardsError(f"{day.isoformat()} 在该地区没有生效的标准:{name}")
        return None

    def resolve(self, region: str | None, on: dt.date) -> ResolvedStandards:
        """The standards in force in `region` (township code or district) on day `on`."""
        district = self.data.district_code
        key = (region or district, on)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        chain = region_chain(region, district)
        names = [
            "dibao_standard",
            "edge_multiplier",
            "disposable_income_annual",
            "property_limits",
            "rigid_expenditure_share",
            "temporary_caps_months",
        ]
        optional = [
            "edge_income_cap_monthly",
            "urban_consumption_annual",
            "elderly_allowance_monthly",
            "elder_care_subsidy_monthly",
            "elder_meal_subsidy",
            "care_consumption_subsidy",
        ]
        figures: dict[str, Figure] = {}
        for name in names:
            figure = self._pick(name, chain, on)
            assert figure is not None
            figures[name] = figure
        for name in optional:
            figure = self._pick(name, chain, on, required=False)
            if figure is not None and figure.value is not None:
                figures[name] = figure
        limits = figures["property_limits"].value or {}
        vehicle_max = limits.get("vehicle_value_max")
        caps = figures["temporary_caps_months"].value
        allowance = figures.get("elderly_allowance_monthly")
        care = figures.get("elder_care_subsidy_monthly")
        consumption = figures.get("urban_consumption_annual")
        cap = figures.get("edge_income_cap_monthly")
        resolved = ResolvedStandards(
            on=on,
            region=region or district,
            region_name=region_name(region or district, district),
            dibao=Decimal(str(figures["dibao_standard"].value)),
            edge_multiplier=Decimal(str(figures["edge_multiplier"].value)),
            edge_cap=Decimal(str(cap.value)) if cap else None,
            disposable_annual=Decimal(str(figures["disposable_income_annual"].value)),
            urban_consumption_annual=Decimal(str(consumption.value)) if consumption else None,
            monetary_months_per_capita=Decimal(str(limits.get("monetary_months_per_capita", 24))),
            vehicle_value_max=Decimal(str(vehicle_max)) if vehicle_max is not None else None,
            rigid_share=Decimal(str(figures["rigid_expenditure_share"].value)),
            temporary_caps={"usual": int(caps["usual"]), "max": int(caps["max"])},
            elderly_allowance=tuple(
                sorted((int(b["min_age"]), Decimal(str(b["amount"]))) for b in allowance.value)
            )
            if allowance
            else (),
            elder_care_subsidy={int(k): Decimal(str(v)) for k, v in care.value.items()}
            if care
            else {},
            figures=figures,
            sample_names=frozenset(name for name, figure in figures.items() if figure.sample),
        )
        if len(self._cache) >= self._cache_limit:
            self._cache.clear()
        self._cache[key] = resolved
        return resolved


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> StandardsRepository:
    return StandardsRepository.from_file(Path(path))


def load_standards(settings: Settings | None = None) -> StandardsRepository:
    """The repository for the configured (or shipped sample) file; reloaded when it changes."""
    configured = getattr(settings, "eligibility_standards_file", None) if settings else None
    path = Path(configured) if configured else DEFAULT_STANDARDS_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise StandardsError(f"找不到救助标准文件 {path}") from exc
    return _load(str(path), mtime)


def propose_dibao_standard(urban_consumption_annual: Decimal, share: Decimal) -> Decimal:
    """A proposed monthly 低保 standard: last year's urban per-capita consumption × share ÷ 12.

    The district plan ([PLAN] 三(一)2) sets the standard at 30%–50% of the previous year's urban
    per-capita consumption expenditure; a share outside that band is refused.
    """
    if not PLAN_SHARE_MIN <= share <= PLAN_SHARE_MAX:
        raise StandardsError(
            "比例应在30%至50%之间(区规划:低保标准按不低于上年城镇常住居民人均消费支出的30%–50%动态调整)"
        )
    if urban_consumption_annual <= 0:
        raise StandardsError("上年城镇常住居民人均消费支出应为正数")
    monthly = urban_consumption_annual * share / 12
    return monthly.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
