"""The elder-care rule table: ``data/eldercare_rules.yaml`` appended to the social-assistance table.

The elder-care rules refer to the 低保/特困/低保边缘 verdicts, so the combined table evaluates the
social-assistance programs first (``rules.yaml``, or ``HUIMIN_ELIGIBILITY_RULES_FILE``), then the
elder-care ones (``HUIMIN_ELDERCARE_RULES_FILE`` or the shipped file). Checked like the main table
(predicate names, sources) when loaded; reloaded when either file changes.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from huimin.programs import ElderBenefit, Judged, Program
from huimin.settings import Settings
from workflows.eligibility.rule_models import ProgramRule, RuleTable, Source
from workflows.eligibility.rules import RulesError, check_table, load_rules

DEFAULT_ELDERCARE_RULES_FILE = Path(__file__).parent / "data" / "eldercare_rules.yaml"

# What an elder-care answer lists, in this order (the social-assistance verdicts are inputs only).
ELDER_RESULTS: tuple[Judged, ...] = (
    Program.ABILITY_ASSESSMENT,
    Program.ELDERLY_ALLOWANCE,
    Program.ELDER_CARE_SUBSIDY,
    ElderBenefit.CARE_CONSUMPTION_SUBSIDY,
    ElderBenefit.MEAL_SUBSIDY,
    Program.HOME_CARE_BED,
    Program.HOME_ADAPTATION,
    Program.CARE_HOME_ADMISSION,
    Program.DISABILITY_CARE,
)


class ElderRuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int
    sources: dict[str, Source] = Field(default_factory=dict)
    programs: list[ProgramRule] = Field(min_length=1)


_COMBINED: dict[tuple[int, str, int], tuple[RuleTable, RuleTable]] = {}


def _combine(base: RuleTable, path: str, mtime_ns: int) -> RuleTable:
    """The combined table, built once per (base table object, elder file version)."""
    key = (id(base), path, mtime_ns)
    cached = _COMBINED.get(key)
    if cached is not None and cached[0] is base:
        return cached[1]
    table = _build(base, path)
    if len(_COMBINED) >= 8:
        _COMBINED.clear()
    _COMBINED[key] = (base, table)
    return table


def _build(base: RuleTable, path: str) -> RuleTable:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"无法读取养老规则文件 {path}:{exc}") from exc
    elder = ElderRuleFile.model_validate(raw)
    clash = {rule.program for rule in elder.programs} & {rule.program for rule in base.programs}
    if clash:
        raise RulesError(f"养老规则与救助规则重复定义了项目:{sorted(clash)}")
    table = RuleTable(
        schema_version=base.schema_version,
        sources={**base.sources, **elder.sources},
        income=base.income,
        rigid_expenditure_kinds=base.rigid_expenditure_kinds,
        programs=[*base.programs, *elder.programs],
        unruled_note=base.unruled_note,
    )
    check_table(table)
    return table


def load_eldercare_rules(settings: Settings | None = None) -> RuleTable:
    """The social-assistance table followed by the elder-care rules."""
    base = load_rules(settings)
    configured = getattr(settings, "eldercare_rules_file", None) if settings else None
    path = Path(configured) if configured else DEFAULT_ELDERCARE_RULES_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise RulesError(f"找不到养老规则文件 {path}") from exc
    return _combine(base, str(path), mtime)
