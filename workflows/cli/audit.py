"""Audit commands: verify-audit, export-audit-head, reseal-audit.

verify-audit / export-audit-head: walk the HMAC chain, check the table's triggers, compare with
the last head exported outside the database; when all is well append the current head to
settings.effective_audit_head_file and exit 0, otherwise name every problem and exit 1 (the
head is then not exported, so the evidence stays). reseal-audit: re-seal the chain with the key
(after migration 0007, or a key change), as the schema owner.
"""

from __future__ import annotations

import datetime as dt
import sys

from huimin.settings import Settings
from workflows.audit.head import (
    HeadFileUnreadableError,
    append,
    compare,
    current_head,
    last_exported,
)
from workflows.audit.protection import missing_protections
from workflows.audit.reseal import reseal
from workflows.audit.verify import verify_chain
from workflows.cli.common import cli_session


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_chain(settings: Settings, *, init: bool = False) -> tuple[int, list[str]]:
    """(rows checked, problems); exports the head when there are none.

    ``init``: a missing head file is not a problem (the first export of an existing chain).
    """
    path = settings.effective_audit_head_file
    with cli_session(settings) as session:
        if session.get_bind().dialect.name == "postgresql":
            # one snapshot: the head exported is the head of the chain that was checked
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        report = verify_chain(session)
        problems = [] if report.ok else [f"第 {report.broken_seq} 条记录:{report.problem}"]
        problems += missing_protections(session)
        head = current_head(session, now=_now(), note="init" if init else None)
        try:
            exported = last_exported(path)
        except HeadFileUnreadableError as exc:
            problems.append(str(exc))
        else:
            if exported is not None or not init:
                problems += compare(session, exported, head)
    if not problems:
        append(path, head)
    return report.checked, problems


def _print(checked: int, problems: list[str], ok_line: str) -> int:
    if not problems:
        print(ok_line.format(checked=checked))
        return 0
    print(f"审计链异常(已核对 {checked} 条完好的记录):", file=sys.stderr)
    for problem in problems:
        print(f"- {problem}", file=sys.stderr)
    return 1


def verify_audit(settings: Settings) -> int:
    checked, problems = check_chain(settings)
    return _print(checked, problems, "审计链完整:共 {checked} 条记录")


def export_audit_head(settings: Settings, *, init: bool = False) -> int:
    """For a timer (cron/systemd): the same check, one line when all is well."""
    checked, problems = check_chain(settings, init=init)
    path = settings.effective_audit_head_file
    return _print(checked, problems, f"已导出审计链头({{checked}} 条)到 {path}")


def reseal_audit(settings: Settings) -> int:
    owner = settings.model_copy(update={"database_url": settings.effective_database_owner_url})
    with cli_session(owner) as session:
        result = reseal(session)
        if not result.report.ok:
            session.rollback()
            print(
                f"未重新签名:第 {result.report.broken_seq} 条记录({result.report.problem})",
                file=sys.stderr,
            )
            return 1
        session.commit()
        head = current_head(session, now=_now(), note="reseal")
    append(settings.effective_audit_head_file, head)
    print(
        f"审计链已用密钥重新签名:{result.resealed} 条记录(其中旧版哈希 {result.legacy} 条);"
        f"链头已导出到 {settings.effective_audit_head_file}"
    )
    return 0
