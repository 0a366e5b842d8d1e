"""The database's own guards on audit_events: its triggers must exist and be enabled.

PostgreSQL (migrations 0002 and 0007): ``audit_events_append_only`` (row-level, BEFORE UPDATE
OR DELETE) and ``audit_events_no_truncate`` (statement-level, BEFORE TRUNCATE), both calling
the raising function ``audit_events_append_only()``. SQLite (0002): ``audit_events_no_update``
and ``audit_events_no_delete``. Also used by reseal-audit to lift them for one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

PG_TRIGGERS = ("audit_events_append_only", "audit_events_no_truncate")
PG_FUNCTION = "audit_events_append_only"
SQLITE_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete")


def missing_protections(session: Session) -> list[str]:
    """What is missing or switched off (empty: every guard in place)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _postgres_problems(connection)
    return _sqlite_problems(connection)


def _postgres_problems(connection: Connection) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT t.tgname, t.tgenabled, p.proname, p.prosrc FROM pg_trigger t "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = to_regclass('audit_events') AND NOT t.tgisinternal"
        )
    ).all()
    found = {row.tgname: row for row in rows}
    problems = []
    for name in PG_TRIGGERS:
        row = found.get(name)
        if row is None:
            problems.append(f"审计表的触发器 {name} 不存在(被删除?)")
        elif row.tgenabled not in ("O", "A"):
            problems.append(f"审计表的触发器 {name} 已被停用")
        elif row.proname != PG_FUNCTION or "RAISE EXCEPTION" not in row.prosrc.upper():
            problems.append(f"审计表的触发器 {name} 不再拒绝修改(触发函数被替换)")
    return problems


def _sqlite_problems(connection: Connection) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'audit_events'"
        )
    ).all()
    found = {name: sql or "" for name, sql in rows}
    problems = []
    for name in SQLITE_TRIGGERS:
        if name not in found:
            problems.append(f"审计表的触发器 {name} 不存在(被删除?)")
        elif "RAISE(ABORT" not in found[name].upper().replace(" ", ""):
            problems.append(f"审计表的触发器 {name} 不再拒绝修改(被替换)")
    return problems


@contextmanager
def updates_allowed(connection: Connection) -> Iterator[None]:
    """Inside the caller's transaction: audit rows may be UPDATEd (schema owner only).

    PostgreSQL: the row trigger is disabled and enabled again (transactional DDL). SQLite: the
    UPDATE trigger is dropped and created again from its stored text.
    """
    if connection.dialect.name == "postgresql":
        trigger = PG_TRIGGERS[0]
        connection.execute(text(f"ALTER TABLE audit_events DISABLE TRIGGER {trigger}"))
        yield
        connection.execute(text(f"ALTER TABLE audit_events ENABLE TRIGGER {trigger}"))
        return
    # pysqlite opens its transaction only before DML: open it now, so the DROP below is undone
    # by a rollback as well
    connection.execute(text("UPDATE audit_head SET seq = seq WHERE 1 = 0"))
    sql = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
        {"n": "audit_events_no_update"},
    ).scalar_one()
    connection.execute(text('DROP TRIGGER "audit_events_no_update"'))
    yield
    connection.execute(text(sql))
