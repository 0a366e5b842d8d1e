"""Pre-screening engine: evaluates the rule table against a household on a day.

    from workflows.eligibility.engine import prescreen
    result = prescreen(household, on=local_today(clock))      # shipped sample standards
    result = prescreen(household, on=day, standards=repo)     # e.g. load_standards(settings)

Verdicts per program: ``likely`` (all conditions met on what was declared), ``possible`` (a
condition needs verification or a local decision), ``unlikely`` (a condition is not met). Every
reason line cites its regulation article. The figures come from dated standards data; the shipped
yuan figures are SAMPLE values (see ``data/README.md``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from huimin.programs import Judged, Program
from workflows.eligibility.facts import HouseholdFacts, household_facts
from workflows.eligibility.predicates import PREDICATES, Context, Result
from workflows.eligibility.rules import Criterion, ProgramRule, RuleTable, load_rules
from workflows.eligibility.schemas import (
    SAMPLE_VERDICT_LABEL,
    VERDICT_LABELS,
    FigureOut,
    HouseholdIn,
    HouseholdSummary,
    PrescreenResult,
    Reason,
    StandardsUsed,
    Verdict,
    VerdictValue,
)
from workflows.eligibility.standards import (
    SAMPLE_NOTE,
    ResolvedStandards,
    StandardsRepository,
    load_standards,
)

_RANK: dict[str, int] = {"unlikely": 0, "possible": 1, "likely": 2}


class _Line(NamedTuple):
    """A reason line while evaluating (cheap); turned into ``Reason`` only if shown."""

    text: str
    citation: str
    outcome: str


def _evaluate(
    criterion: Criterion, ctx: Context, cites: dict[tuple[str, str], str]
) -> tuple[str, list[_Line]]:
    """Outcome of one criterion after cap/if_not_met, with the reason lines to show."""
    if criterion.any_of:
        results = [_evaluate(alt, ctx, cites) for alt in criterion.any_of]
        for outcome, reasons in results:
            if outcome == "met":
                return "met", reasons
        unknown = [(o, r) for o, r in results if o == "unknown"]
        if unknown:
            first_outcome, first_reasons = results[0]
            lines = [] if first_outcome == "unknown" else list(first_reasons)
            for _, reasons in unknown:
                lines.extend(reasons)
            return "unknown", lines
        return "not_met", results[0][1]
    if criterion.predicate is None or criterion.citation is None:
        raise ValueError("criterion without predicate or citation")
    result: Result = PREDICATES[criterion.predicate](ctx, criterion.params)
    effective: str = result.outcome
    capped = effective == "met" and criterion.cap == "possible"
    waivable = effective == "not_met" and criterion.if_not_met == "possible"
    if capped or waivable:
        effective = "unknown"
    if criterion.info:
        effective = "info"
    ref = criterion.citation
    # outcome after cap / if_not_met: "unknown" marks a local decision
    return effective, [_Line(result.text, cites[(ref.source, ref.article)], effective)]


def _combine(outcomes: Iterable[str]) -> VerdictValue:
    seen = set(outcomes)
    if "not_met" in seen:
        return "unlikely"
    if "unknown" in seen:
        return "possible"
    return "likely"


def _run(
    rule: ProgramRule,
    ctx: Context,
    cites: dict[tuple[str, str], str],
    *,
    stop_at_failure: bool = False,
) -> tuple[VerdictValue, list[_Line]]:
    """Evaluate a rule's criteria in table order (optionally stopping at the first unmet one)."""
    outcomes: list[str] = []
    reasons: list[_Line] = []
    for criterion in rule.criteria:
        if criterion.info:
            continue
        outcome, lines = _evaluate(criterion, ctx, cites)
        outcomes.append(outcome)
        reasons.extend(lines)
        if stop_at_failure and outcome == "not_met":
            break
    verdict = _combine(outcomes)
    if verdict != "unlikely":
        for criterion in rule.criteria:
            if criterion.info:
                reasons.extend(_evaluate(criterion, ctx, cites)[1])
    return verdict, reasons


def _run_members(
    rule: ProgramRule,
    facts: HouseholdFacts,
    standards: ResolvedStandards,
    verdicts: dict[Judged, str],
    cites: dict[tuple[str, str], str],
) -> tuple[VerdictValue, list[_Line]]:
    """Member-scoped rule: the best member's verdict; reasons of every member reaching it.

    A member's evaluation stops at the first unmet condition (rules list the deciding gate, e.g.
    age or disability, first): for an ``unlikely`` answer each member's first reason is shown.
    """
    runs = [
        _run(rule, Context(facts, standards, verdicts, member), cites, stop_at_failure=True)
        for member in facts.counted
    ]
    if not runs:
        return "unlikely", [_Line("没有计入的家庭成员", cites[_first_citation(rule)], "not_met")]
    best = max(runs, key=lambda run: _RANK[run[0]])[0]
    if (
        best == "unlikely"
        and rule.gate_failed_text
        and all(_failed_at_gate(lines) for _, lines in runs)
    ):
        # nobody passes the first condition (age, disability …): say it once for the household
        return "unlikely", [
            _Line(
                rule.gate_failed_text.format_map(rule.criteria[0].params),
                cites[_first_citation(rule)],
                "not_met",
            )
        ]
    reasons: list[_Line] = []
    seen: set[str] = set()
    for verdict, lines in runs:
        if verdict != best:
            continue
        for line in lines:
            if best == "unlikely" and line.outcome != "not_met":
                continue
            if line.text not in seen:
                seen.add(line.text)
                reasons.append(line)
    return best, reasons


def _failed_at_gate(lines: list[_Line]) -> bool:
    return len(lines) == 1 and lines[0].outcome == "not_met"


def _first_citation(rule: ProgramRule) -> tuple[str, str]:
    for criterion in rule.criteria:
        if criterion.citation is not None:
            return (criterion.citation.source, criterion.citation.article)
    raise ValueError(f"rule {rule.program} has no citation")


_VIEWS: dict[int, tuple[ResolvedStandards, StandardsUsed]] = {}


def _plain(value: object) -> object:
    """Decimals as JSON numbers (int when whole), inside lists and mappings too."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def standards_used_view(standards: ResolvedStandards) -> StandardsUsed:
    """The standards as shown in answers (built once per resolved region and day)."""
    cached = _VIEWS.get(id(standards))
    if cached is not None and cached[0] is standards:
        return cached[1]
    view = _build_view(standards)
    if len(_VIEWS) >= 1024:
        _VIEWS.clear()
    _VIEWS[id(standards)] = (standards, view)
    return view


def _build_view(standards: ResolvedStandards) -> StandardsUsed:
    notes = sorted(
        {
            f"{figure.name}:{figure.note or SAMPLE_NOTE}"
            for figure in standards.figures.values()
            if figure.sample
        }
    )
    return StandardsUsed(
        on=standards.on,
        region=standards.region,
        region_name=standards.region_name,
        dibao_standard_monthly=float(standards.dibao),
        edge_multiplier=float(standards.edge_multiplier),
        edge_line_monthly=float(standards.edge_line),
        disposable_income_annual=float(standards.disposable_annual),
        rigid_expenditure_share=float(standards.rigid_share),
        property_monetary_months_per_capita=float(standards.monetary_months_per_capita),
        temporary_caps_months=dict(standards.temporary_caps),
        sample=standards.any_sample,
        notes=notes,
        figures=[
            FigureOut(**{**figure.model_dump(), "value": _plain(figure.value)})
            for figure in standards.figures.values()
        ],
    )


def _summary(facts: HouseholdFacts) -> HouseholdSummary:
    per_capita = facts.per_capita
    return HouseholdSummary(
        members_total=len(facts.members),
        members_counted=facts.size,
        monthly_income_counted=float(round(facts.income, 2)),
        monthly_deductions=float(round(facts.deductions, 2)),
        per_capita_monthly_income=float(round(per_capita, 2)) if per_capita is not None else 0.0,
        annual_rigid_expenditure=float(facts.rigid_annual),
    )


def standards_region(household: HouseholdIn) -> str | None:
    """Whose standard applies: the 户籍 township, else the residence township, else the district."""
    return household.hukou_township_code or household.residence_township_code


def prescreen(
    household: HouseholdIn,
    *,
    on: dt.date,
    standards: StandardsRepository | None = None,
    rules: RuleTable | None = None,
) -> PrescreenResult:
    """Which programs this household may qualify for on day `on`, and why."""
    table = rules or load_rules()
    repository = standards or load_standards()
    resolved = repository.resolve(standards_region(household), on)
    facts = household_facts(household, on=on, rules=table)
    cites = table.citations()
    verdicts: dict[Judged, str] = {}
    results: list[Verdict] = []
    for rule in table.rules_on(on):
        if rule.scope == "member":
            verdict, reasons = _run_members(rule, facts, resolved, verdicts, cites)
        else:
            verdict, reasons = _run(rule, Context(facts, resolved, verdicts), cites)
        verdicts[rule.program] = verdict
        results.append(
            Verdict.model_validate(
                {
                    "program": rule.program,
                    "program_label": rule.program.label,
                    "verdict": verdict,
                    "verdict_label": VERDICT_LABELS[verdict],
                    "reasons": [line._asdict() for line in reasons],
                    "materials": list(rule.materials),
                    "explanation": explanation(verdict, reasons, sample=resolved.any_sample),
                    "sample": resolved.any_sample,
                }
            )
        )
    if household.programs is not None:
        wanted = list(dict.fromkeys(household.programs))
        by_program = {v.program: v for v in results}
        results = [by_program.get(p) or _unruled(p, table) for p in wanted]
    return PrescreenResult(
        verdicts=results, standards_used=standards_used_view(resolved), household=_summary(facts)
    )


_EXPLAIN_OUTCOME = {"unlikely": "not_met", "possible": "unknown", "likely": "met"}
_EXPLAIN_LEAD = {"unlikely": "暂不符合的原因", "possible": "需要核实", "likely": "符合的条件"}


def explanation(verdict: str, reasons: Iterable[_Line | Reason], *, sample: bool) -> str:
    """Why, in one sentence: a 暂不符合 verdict always names its unmet conditions; a verdict
    computed from sample standards says so."""
    wanted = _EXPLAIN_OUTCOME[verdict]
    texts = [r.text.rstrip("。") for r in reasons if r.outcome == wanted]
    text = f"{_EXPLAIN_LEAD[verdict]}:{';'.join(texts)}。" if texts else ""
    if sample:
        text += f"(判断所用标准为{SAMPLE_VERDICT_LABEL})"
    return text


def _unruled(program: Program, table: RuleTable) -> Verdict:
    return Verdict(
        program=program,
        program_label=program.label,
        verdict="possible",
        verdict_label=VERDICT_LABELS["possible"],
        reasons=[Reason(text=table.unruled_note, citation="", outcome="unknown")],
        materials=["居民身份证、户口簿"],
    )


def explain_for_case(
    household: HouseholdIn,
    *,
    declared_programs: Iterable[Program],
    on: dt.date,
    standards: StandardsRepository | None = None,
    rules: RuleTable | None = None,
) -> dict[str, object]:
    """For a reviewer's case page: the computed verdicts beside the programs the resident declared.

    Returns ``{"result": PrescreenResult, "declared": [Verdict…], "also_consider": [Verdict…]}`` —
    the declared programs' verdicts, and programs not declared that came out ``likely``.
    Build the household from the stored application (``household_from_application``) and
    pass ``standards=load_standards(settings)`` so the configured figures are used.
    """
    table = rules or load_rules()
    result = prescreen(
        household.model_copy(update={"programs": None}), on=on, standards=standards, rules=table
    )
    declared = [Program(p) for p in dict.fromkeys(declared_programs)]
    by_program = {v.program: v for v in result.verdicts}
    return {
        "result": result,
        "declared": [by_program.get(p) or _unruled(p, table) for p in declared],
        "also_consider": [
            v for v in result.verdicts if v.program not in declared and v.verdict == "likely"
        ],
    }
