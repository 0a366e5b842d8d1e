"""Run the rules once (the daily job), record each new finding once, tell or queue it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huimin import idcard
from huimin.programs import Program
from huimin.settings import Settings
from workflows.audit import service as audit
from workflows.cases.flows import recipient
from workflows.discovery.models import Finding
from workflows.discovery.rules import RULE_BY_CODE, RULES, Candidate, Rule
from workflows.errors import ServiceError
from workflows.outbox import service as outbox

TOLD = "told"
AWAITING = "awaiting"
CONFIRMED = "confirmed"
DISMISSED = "dismissed"

MESSAGES: dict[str, str] = {
    "elderly_allowance": (
        "{name}您好:根据登记信息,您已年满80周岁,可能可以享受高龄津贴。"
        "请带身份证到户籍所在乡镇(街道)便民服务中心办理,或在对话中回复“高龄津贴”了解条件;"
        "具体条件和金额以乡镇(街道)核实为准。"
    ),
    "elder_care_subsidy": (
        "{name}您好:您家中有失能老人,可能可以享受养老服务补贴。乡镇(街道)工作人员将与您联系核实。"
    ),
    "medical": (
        "{name}您好:您家中有成员患重大疾病,作为低保家庭成员可凭低保证件申请医疗救助。"
        "请到乡镇(街道)窗口或在对话中回复“医疗救助”办理。"
    ),
}


@dataclass
class RunResult:
    found: dict[str, int] = field(default_factory=dict)
    told: int = 0
    awaiting: int = 0


class FindingNotFoundError(ServiceError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("主动发现记录不存在")


class FindingDecidedError(ServiceError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("该记录已处理,不能重复确认")


def _reachable(candidate: Candidate) -> tuple[str, str] | None:
    if candidate.application is None:
        return None
    channel, user_id = recipient(candidate.application)
    if not user_id or channel == "counter":
        return None
    return channel, user_id


def _record(
    session: Session,
    *,
    rule: Rule,
    candidate: Candidate,
    settings: Settings,
    today: dt.date,
    now: dt.datetime,
) -> Finding | None:
    """The finding, or None when this person was already found by this rule (unique)."""
    mode = settings.discovery_mode.get(rule.program, "case")
    reach = _reachable(candidate) if mode == "tell" else None
    finding = Finding(
        rule=rule.code,
        program=rule.program,
        id_number=candidate.id_number,
        name=candidate.name,
        township_code=candidate.township_code,
        application_id=candidate.application.id if candidate.application else None,
        visit_target_id=candidate.visit_target_id,
        status=TOLD if reach else AWAITING,
        found_on=today,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(finding)
            session.flush()
    except IntegrityError:
        return None  # found before (or by a concurrent run): never twice
    if reach is not None:
        message = outbox.enqueue(
            session,
            channel=reach[0],
            channel_user_id=reach[1],
            text=MESSAGES[rule.program].format(name=candidate.name),
            now=now,
            application_id=candidate.application.id if candidate.application else None,
            application_number=candidate.application.number if candidate.application else None,
        )
        finding.outbox_message_id = message.id
    audit.record(
        session,
        actor="system:discovery",
        action="discovery.found",
        entity_type="discovery_finding",
        entity_id=finding.id,
        data={
            "rule": rule.code,
            "status": finding.status,
            "id_number": idcard.mask(candidate.id_number),
        },
        at=now,
    )
    return finding


def run(session: Session, *, today: dt.date, now: dt.datetime, settings: Settings) -> RunResult:
    """Every rule over everyone known; the caller commits."""
    result = RunResult()
    for rule in RULES:
        known = set(session.scalars(select(Finding.id_number).where(Finding.rule == rule.code)))
        count = 0
        for candidate in rule.find(session, today, settings.discovery_lookback_days):
            if candidate.id_number in known:
                continue
            finding = _record(
                session, rule=rule, candidate=candidate, settings=settings, today=today, now=now
            )
            if finding is None:
                continue
            known.add(candidate.id_number)
            count += 1
            if finding.status == TOLD:
                result.told += 1
            else:
                result.awaiting += 1
        result.found[rule.code] = count
    return result


def listing(
    session: Session, *, township_scope: str | None, status: str | None
) -> Sequence[Finding]:
    query = select(Finding).order_by(Finding.id.desc()).limit(500)
    if township_scope is not None:
        query = query.where(Finding.township_code == township_scope)
    if status is not None:
        query = query.where(Finding.status == status)
    return session.scalars(query).all()


def decide(
    session: Session,
    *,
    finding_id: int,
    township_scope: str | None,
    confirm: bool,
    note: str,
    actor: str,
    username: str,
    now: dt.datetime,
) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None or (township_scope is not None and finding.township_code != township_scope):
        raise FindingNotFoundError()
    if finding.status != AWAITING:
        raise FindingDecidedError()
    finding.status = CONFIRMED if confirm else DISMISSED
    finding.decided_by = username
    finding.note = note
    audit.record(
        session,
        actor=actor,
        action=f"discovery.{finding.status}",
        entity_type="discovery_finding",
        entity_id=finding.id,
        data={"rule": finding.rule},
        at=now,
    )
    return finding


def rule_label(code: str) -> str:
    rule = RULE_BY_CODE.get(code)
    return rule.label if rule else code


def program_label(code: str) -> str:
    return Program(code).label
