"""Whether a household holds a certificate that grants a program directly ([ZJ] arts. 21–23:
低保, 特困 and 低保边缘 members get 医疗救助 on showing their certificate).

Two places answer: an approved case of a certified program here (for the applicant or a member
of the household), or the civil affairs certificate registry (workflows/registry, consulted only
once the applicant's identity is verified, as for the 一键核对).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from huimin.programs import Program
from huimin.settings import Settings
from workflows.applications import identity
from workflows.applications.models import Application, HouseholdMember
from workflows.cases.models import ProgramCase
from workflows.registry.base import RegistryUnavailableError
from workflows.registry.factory import make_certificates

log = logging.getLogger(__name__)


def household_ids(application: Application) -> list[str]:
    ids = {application.applicant_id_number, *(m.id_number for m in application.members)}
    return sorted(i for i in ids if i)


def approved_case_here(
    session: Session, *, case: ProgramCase, programs: Sequence[Program]
) -> ProgramCase | None:
    """An approved case of one of ``programs`` for someone in this case's household."""
    ids = household_ids(case.application)
    if not ids:
        return None
    with_member = select(HouseholdMember.application_id).where(HouseholdMember.id_number.in_(ids))
    return session.scalar(
        select(ProgramCase)
        .join(Application, Application.id == ProgramCase.application_id)
        .where(
            ProgramCase.id != case.id,
            ProgramCase.program.in_([p.value for p in programs]),
            ProgramCase.approved_on.is_not(None),
            or_(Application.applicant_id_number.in_(ids), Application.id.in_(with_member)),
        )
        .order_by(ProgramCase.approved_on.desc(), ProgramCase.id.desc())
        .limit(1)
    )


def certification(
    session: Session, *, case: ProgramCase, programs: Sequence[Program], settings: Settings
) -> str | None:
    """Where the household's certificate was found (Chinese, for staff and the audit), or None."""
    here = approved_case_here(session, case=case, programs=programs)
    if here is not None:
        label = Program(here.program).label
        return f"本系统已批准的{label}案件(申请编号 {here.application.number})"
    application = case.application
    if not identity.is_verified(application):
        return None
    try:
        found = make_certificates(settings).certificates(household_ids(application))
    except RegistryUnavailableError as exc:
        log.warning("certificate registry unavailable: %s", exc.message_zh)
        return None
    wanted = {p.value for p in programs}
    for certificate in found:
        if certificate.program in wanted:
            label = Program(certificate.program).label
            return f"救助对象认定系统登记的{label}证明(证号 {certificate.number})"
    return None
