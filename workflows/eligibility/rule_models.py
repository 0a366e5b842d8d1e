"""The rule table's shape (pydantic models of ``data/rules.yaml``), without loading or checking it.

Standalone so the household facts can read the income rules without importing
:mod:`workflows.eligibility.rules`, which checks predicate names against
:mod:`workflows.eligibility.predicates` (that would be the cycle
rules -> predicates -> facts -> rules).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from huimin.programs import Judged
from workflows.household.enums import ExpenditureKind, IncomeKind


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

    program: Judged
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
        seen: set[Judged] = set()
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
