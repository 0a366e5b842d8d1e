"""The rule table (``data/rules.yaml``): programs, criteria, citations and materials, as data.

Rules change without code changes: edit the YAML (or point ``HUIMIN_ELIGIBILITY_RULES_FILE`` at a
copy). A criterion names a predicate from :mod:`workflows.eligibility.predicates`; unknown
predicate names and programs are refused when the table is loaded, not when a resident asks.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from huimin.settings import Settings
from workflows.eligibility.rule_models import (
    CitationRef as CitationRef,
)
from workflows.eligibility.rule_models import (
    Criterion as Criterion,
)
from workflows.eligibility.rule_models import (
    IncomeRules as IncomeRules,
)
from workflows.eligibility.rule_models import (
    ProgramRule as ProgramRule,
)
from workflows.eligibility.rule_models import (
    RuleTable as RuleTable,
)
from workflows.eligibility.rule_models import (  # re-exported: the table's models
    Source as Source,
)
from workflows.household.enums import IncomeKind

DEFAULT_RULES_FILE = Path(__file__).parent / "data" / "rules.yaml"


class RulesError(ValueError):
    """The rule table is malformed."""


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


def check_table(table: RuleTable) -> None:
    """Refuse unknown predicates and sources (the elder-care predicates are registered too)."""
    from workflows.eligibility import elder_predicates
    from workflows.eligibility.predicates import PREDICATES

    assert elder_predicates.LOW_INCOME  # imported for its registrations
    _check(table, frozenset(PREDICATES))


def parse_rules(raw: dict[str, Any]) -> RuleTable:
    table = RuleTable.model_validate(raw)
    check_table(table)
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
