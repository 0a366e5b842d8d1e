"""Decide the handling township of one program case."""

from __future__ import annotations

from dataclasses import dataclass

from huimin import townships
from huimin.programs import Program
from workflows.routing.config import ResidenceRule, rule_for

SAMPLE_RULE_LABEL = "示例规则,以民政部门公布为准"


class NotRoutableError(ValueError):
    """No township in the district may handle this program for this applicant (Chinese reason)."""


@dataclass(frozen=True)
class Routing:
    township_code: str
    reason: str


def _name(code: str) -> str:
    return townships.township_name(code)


def route(
    program: Program,
    *,
    hukou_township_code: str | None,
    residence_township_code: str | None,
    has_residence_permit: bool,
) -> Routing:
    spec = rule_for(program)
    rule = spec.rule
    # a routing rule that is sample configuration says so wherever its reason is read
    basis = "按示例规则" if spec.sample else "按规定"
    label = f";{SAMPLE_RULE_LABEL}" if spec.sample else ""
    if rule is ResidenceRule.RESIDENCE and residence_township_code:
        return Routing(
            residence_township_code,
            f"不受户籍限制,由经常居住地{_name(residence_township_code)}办理",
        )
    if hukou_township_code:
        moved = residence_township_code and residence_township_code != hukou_township_code
        suffix = f"(经常居住地不同,{basis}仍由户籍地办理{label})" if moved else ""
        return Routing(hukou_township_code, f"按户籍地由{_name(hukou_township_code)}办理{suffix}")
    if rule is ResidenceRule.PERMIT and has_residence_permit and residence_township_code:
        return Routing(
            residence_township_code,
            f"户籍在区外、持居住证,异地申请由经常居住地{_name(residence_township_code)}办理"
            + (f"({SAMPLE_RULE_LABEL})" if spec.sample else ""),
        )
    if rule is ResidenceRule.RESIDENCE:
        raise NotRoutableError(f"{program.label}需要填写在本区的经常居住地")
    if rule is ResidenceRule.PERMIT:
        raise NotRoutableError(
            f"{program.label}:户籍不在本区且未持居住证,请向户籍所在地乡镇(街道)申请"
        )
    raise NotRoutableError(f"{program.label}只能向户籍所在地乡镇(街道)申请")
