"""The rule table (``data/rules.yaml``): programs, criteria, citations and materials, as data.

Rules change without code changes: edit the YAML (or point ``HUIMIN_ELIGIBILITY_RULES_FILE`` at a
copy). A criterion names a predicate from :mod:`workflows.eligibility.predicates`; unknown
predicate names and programs are refused when the table is loaded, not when a resident asks.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from huimin.programs import Program
from huimin.settings import Settings
from workflows.household.enums import ExpenditureKind, IncomeKind

DEFAULT_RULES_FILE = Path(__file__).parent / "data" / "rules.yaml"


class RulesError(ValueError):
    """The rule table is malformed."""


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    number: str = ""
    effective: str = ""


class CitationRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    article: str = ""


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    predicate: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    citation: CitationRef | None = None
    if_not_met: Literal["unlikely", "possible"] = "unlikely"
    cap: Literal["likely", "possible"] = "likely"
    info: bool = False
    any_of: list[Criterion] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Criterion:
        if (self.predicate is None) == (self.any_of is None):
            raise ValueError("a criterion has either a predicate or any_of")
        if self.predicate is not None and self.citation is None:
            raise ValueError(f"criterion {self.predicate} needs a citation")
        return self


class ProgramRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    program: Program
    effective_from: dt.date
    effective_to: dt.date | None = None
    scope: Literal["household", "member"] = "household"
    criteria: list[Criterion] = Field(min_length=1)
    materials: list[str] = Field(default_factory=list)
    # member-scoped rules: what to say once when no member passes the first criterion
    gate_failed_text: str | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class IncomeRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[IncomeKind, str]
    excluded: frozenset[IncomeKind]
    excluded_tekun: frozenset[IncomeKind]
    deductible_expenditures: frozenset[ExpenditureKind]
    citation: CitationRef


class RuleTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int
    sources: dict[str, Source]
    income: IncomeRules
    rigid_expenditure_kinds: frozenset[ExpenditureKind]
    programs: list[ProgramRule]
    unruled_note: str
    _citations: dict[tuple[str, str], str] = PrivateAttr(default_factory=dict)

    def rules_on(self, day: dt.date) -> list[ProgramRule]:
        """The rule in force for each program on `day`, in table order."""
        seen: set[Program] = set()
        chosen: list[ProgramRule] = []
        for rule in self.programs:
            if rule.program not in seen and rule.in_force(day):
                seen.add(rule.program)
                chosen.append(rule)
        return chosen

    def cite(self, ref: CitationRef) -> str:
        """The citation as shown to residents (memoised: the table is immutable)."""
        return self.citations().get((ref.source, ref.article)) or self._format(ref)

    def citations(self) -> dict[tuple[str, str], str]:
        """Every citation of the table by (source, article), formatted once."""
        if not self._citations:
            for rule in self.programs:
                stack = list(rule.criteria)
                while stack:
                    criterion = stack.pop()
                    stack.extend(criterion.any_of or [])
                    if criterion.citation is not None:
                        ref = criterion.citation
                        self._citations[(ref.source, ref.article)] = self._format(ref)
        return self._citations

    def _format(self, ref: CitationRef) -> str:
        source = self.sources[ref.source]
        details = ",".join(part for part in (source.number, source.effective) if part)
        return f"{source.title}{f'({details})' if details else ''}{ref.article}"


def _check(table: RuleTable, predicate_names: frozenset[str]) -> None:
    for rule in table.programs:
        if rule.gate_failed_text:
            try:
                rule.gate_failed_text.format_map(rule.criteria[0].params)
            except (KeyError, IndexError, ValueError) as exc:
                raise RulesError(
                    f"{rule.program} 的 gate_failed_text 引用了不存在的参数:{exc}"
                ) from exc

    def walk(criteria: list[Criterion]) -> None:
        for criterion in criteria:
            if criterion.any_of:
                walk(criterion.any_of)
            elif criterion.predicate not in predicate_names:
                raise RulesError(f"未知的判定条件(predicate):{criterion.predicate}")
            if criterion.citation and criterion.citation.source not in table.sources:
                raise RulesError(f"未知的法规来源:{criterion.citation.source}")

    for rule in table.programs:
        walk(rule.criteria)
    missing = set(IncomeKind) - set(table.income.kinds)
    if missing:
        raise RulesError(f"收入类型未在规则表中说明:{sorted(missing)}")


def parse_rules(raw: dict[str, Any]) -> RuleTable:
    from workflows.eligibility.predicates import PREDICATES

    table = RuleTable.model_validate(raw)
    _check(table, frozenset(PREDICATES))
    return table


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> RuleTable:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"无法读取规则文件 {path}:{exc}") from exc
    return parse_rules(raw)


def load_rules(settings: Settings | None = None) -> RuleTable:
    """The configured rule table (or the shipped one); reloaded when the file changes."""
    configured = getattr(settings, "eligibility_rules_file", None) if settings else None
    path = Path(configured) if configured else DEFAULT_RULES_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise RulesError(f"找不到规则文件 {path}") from exc
    return _load(str(path), mtime)


def _criterion_view(criterion: Criterion, table: RuleTable) -> dict[str, Any]:
    if criterion.any_of:
        return {"any_of": [_criterion_view(alt, table) for alt in criterion.any_of]}
    return {
        "predicate": criterion.predicate,
        "params": criterion.params,
        "citation": table.cite(criterion.citation) if criterion.citation else "",
        "if_not_met": criterion.if_not_met,
        "cap": criterion.cap,
        "info": criterion.info,
    }


def rule_view(rule: ProgramRule, table: RuleTable) -> dict[str, Any]:
    """A rule as JSON for staff: what is checked, on which article, from when."""
    return {
        "program": rule.program.value,
        "program_label": rule.program.label,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "scope": rule.scope,
        "criteria": [_criterion_view(c, table) for c in rule.criteria],
        "materials": list(rule.materials),
    }
