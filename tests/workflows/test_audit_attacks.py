"""verify-audit against the attacks on the chain: a recompute without the key, an edited or
deleted row, rows cut from the end (with audit_head fixed up), a TRUNCATE, a dropped trigger;
and reseal-audit for rows written before the HMAC chain. Each on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import DBAPIError

from huimin.settings import Settings
from workflows.__main__ import main
from workflows.audit import service as audit
from workflows.audit.chain import canonical_json, legacy_link_hash
from workflows.audit.keys import AuditKeyMissingError
from workflows.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from workflows.audit.verify import verify_chain
from workflows.db import make_engine, make_session_factory


def _cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str) -> int:
    monkeypatch.setattr("workflows.__main__.get_settings", lambda: settings)
    return main(list(args))


def _end_idle_transactions(engine: Any) -> None:
    """Terminate this database's other sessions idle inside a transaction on this schema's
    tables (a test-only guard: the tests own their schema)."""
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '20s'"))
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'idle in transaction' AND query ILIKE '%audit_%'"
            )
        )


@pytest.fixture
def chain(
    app: FastAPI,
    api_settings: Settings,
    submit: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> list[AuditEvent]:
    """Two applications (6 events), the head exported once, verify-audit clean."""
    submit()
    submit(channel_user_id="20002")
    assert _cli(monkeypatch, api_settings, "export-audit-head", "--init") == 0
    assert _cli(monkeypatch, api_settings, "verify-audit") == 0
    capsys.readouterr()
    with app.state.session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _verify(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    code = _cli(monkeypatch, settings, "verify-audit")
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def _head_lines(settings: Settings) -> list[dict[str, Any]]:
    text_ = settings.effective_audit_head_file.read_text(encoding="utf-8")
    return [json.loads(line) for line in text_.splitlines()]


def _rewrite(app: FastAPI, lift: Any, digest: Callable[[str, str], str], version: int) -> None:
    """What an attacker with write access (but without the key) can do: recompute every link."""
    events = list(app.state.session_factory().scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    prev = GENESIS_HASH
    with lift(app.state.engine) as connection:
        for event in events:
            actor = "staff:mallory" if event.seq == 2 else event.actor
            canonical = canonical_json(
                seq=event.seq,
                at=event.at,
                actor=actor,
                action=event.action,
                entity_type=event.entity_type,
                entity_id=event.entity_id,
                data=event.data,
            )
            new = digest(prev, canonical)
            connection.execute(
                update(AuditEvent)
                .where(AuditEvent.id == event.id)
                .values(actor=actor, prev_hash=prev, hash=new, hash_version=version)
            )
            prev = new
        connection.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev))


def _plain_sha256(prev: str, canonical: str) -> str:
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


def _other_key(prev: str, canonical: str) -> str:
    return hmac.new(b"guessed-key", (prev + canonical).encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("digest", "version", "expected"),
    [
        (_plain_sha256, 2, "内容被改动"),
        (_other_key, 2, "内容被改动"),
        (_plain_sha256, 1, "未用审计密钥签名"),
    ],
    ids=["plain-sha256", "other-key", "sha256-marked-legacy"],
)
def test_a_chain_recomputed_without_the_key_is_reported(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
    digest: Callable[[str, str], str],
    version: int,
    expected: str,
) -> None:
    _rewrite(app, lift_audit_protection, digest, version)
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert code == 1
    assert "第 1 条记录" in output
    assert expected in output
    assert "审计链被重写" in output  # the exported head no longer matches either
    assert len(_head_lines(api_settings)) == 2  # nothing exported over the evidence


def test_an_edited_row_is_reported(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
) -> None:
    target = chain[3]
    with lift_audit_protection(app.state.engine) as connection:
        connection.execute(
            update(AuditEvent).where(AuditEvent.id == target.id).values(data={"note": "改过"})
        )
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert code == 1
    assert f"第 {target.seq} 条记录" in output
    assert "内容被改动" in output


def test_a_deleted_row_is_reported(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
) -> None:
    with lift_audit_protection(app.state.engine) as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert code == 1
    assert "缺少第 2 条记录" in output


def test_rows_cut_from_the_end_with_the_head_row_fixed_up_are_reported(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
) -> None:
    keep = chain[3]
    with lift_audit_protection(app.state.engine) as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": keep.seq})
        connection.execute(
            update(AuditHead).where(AuditHead.id == 1).values(seq=keep.seq, last_hash=keep.hash)
        )
    with app.state.session_factory() as session:
        assert verify_chain(session).ok  # the table alone cannot tell
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert code == 1
    assert f"上次 {len(chain)} 条" in output
    assert f"现在 {keep.seq} 条" in output
    assert f"第 {chain[-1].seq} 条记录已不存在" in output


def test_an_emptied_table_is_reported_by_the_head_file(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
) -> None:
    engine = app.state.engine
    if engine.dialect.name == "postgresql":
        # TRUNCATE needs an exclusive lock: a pooled connection of an earlier step still inside a
        # transaction would make it wait for ever (seen once under CI); start from a fresh pool
        # and end any transaction of this test's own schema left idle, so the test cannot hang.
        engine.dispose()
        _end_idle_transactions(engine)
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_events"))
        # as the superuser, drop the guard, then truncate
        with engine.begin() as connection:
            connection.execute(text("DROP TRIGGER audit_events_no_truncate ON audit_events"))
            connection.execute(text("TRUNCATE audit_events, audit_head"))
    else:  # SQLite has no TRUNCATE: its equivalent is deleting every row
        with lift_audit_protection(engine) as connection:
            connection.execute(text("DELETE FROM audit_events"))
            connection.execute(text("DELETE FROM audit_head"))
    with app.state.session_factory() as session:
        assert verify_chain(session).ok  # an empty chain is a valid chain
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert code == 1
    assert "现在 0 条" in output
    if engine.dialect.name == "postgresql":
        assert "audit_events_no_truncate 不存在" in output
        with engine.begin() as connection:  # put the guard back for the other tests
            connection.execute(
                text(
                    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
                )
            )


def test_a_dropped_or_disabled_trigger_is_reported(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = app.state.engine
    if engine.dialect.name == "postgresql":
        name = "audit_events_append_only"
        drop = f"DROP TRIGGER {name} ON audit_events"
        restore = (
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        name = "audit_events_no_delete"
        with engine.connect() as connection:
            restore = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}
            ).scalar_one()
        drop = f"DROP TRIGGER {name}"
    with engine.begin() as connection:
        connection.execute(text(drop))
    try:
        code, output = _verify(monkeypatch, api_settings, capsys)
        assert code == 1
        assert f"{name} 不存在" in output
    finally:
        with engine.begin() as connection:
            connection.execute(text(restore))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE audit_events DISABLE TRIGGER {name}"))
        try:
            code, output = _verify(monkeypatch, api_settings, capsys)
            assert code == 1
            assert f"{name} 已被停用" in output
        finally:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE audit_events ENABLE TRIGGER {name}"))
    assert _verify(monkeypatch, api_settings, capsys)[0] == 0


def test_a_missing_head_file_is_reported_while_rows_exist(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    api_settings.effective_audit_head_file.unlink()
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert code == 1
    assert "链头文件不存在" in output
    assert not api_settings.effective_audit_head_file.exists()  # not silently re-created
    assert _cli(monkeypatch, api_settings, "export-audit-head") == 1
    assert _cli(monkeypatch, api_settings, "export-audit-head", "--init") == 0
    assert _verify(monkeypatch, api_settings, capsys)[0] == 0


def test_every_clean_check_appends_the_head(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clock: Any,
) -> None:
    with app.state.session_factory() as session:
        audit.record(
            session, actor="t", action="x", entity_type="t", entity_id=1, data={}, at=clock.now()
        )
        session.commit()
    assert _cli(monkeypatch, api_settings, "export-audit-head") == 0
    lines = _head_lines(api_settings)
    assert [line["count"] for line in lines] == [6, 6, 7]
    with app.state.session_factory() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert last is not None
    assert lines[-1]["last_seq"] == 7
    assert lines[-1]["last_id"] == last.id
    assert lines[-1]["last_hash"] == last.hash
    assert lines[0]["note"] == "init"


def test_the_key_never_reaches_the_database(
    app: FastAPI, api_settings: Settings, chain: list[AuditEvent]
) -> None:
    key = api_settings.audit_hmac_key.get_secret_value()
    with app.state.engine.connect() as connection:
        for table in ("audit_events", "audit_head"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            assert key not in repr(rows)
    # and the chain verifies only with that key
    other = api_settings.model_copy(update={"audit_hmac_key": SecretStr("another-key")})
    engine = make_engine(other)
    try:
        with make_session_factory(engine)() as session:
            report = verify_chain(session)
        assert not report.ok
        assert report.broken_seq == 1
    finally:
        engine.dispose()


def test_legacy_rows_are_checked_then_resealed(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
) -> None:
    # rows as migration 0007 leaves them: version 1, plain SHA-256 (unchanged content)
    events = chain
    prev = GENESIS_HASH
    with lift_audit_protection(app.state.engine) as connection:
        for event in events:
            digest = legacy_link_hash(prev, _canonical(event))
            connection.execute(
                update(AuditEvent)
                .where(AuditEvent.id == event.id)
                .values(prev_hash=prev, hash=digest, hash_version=1)
            )
            prev = digest
        connection.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev))
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert code == 1
    assert "reseal-audit" in output

    assert _cli(monkeypatch, api_settings, "reseal-audit") == 0
    assert "旧版哈希 6 条" in capsys.readouterr().out
    assert _head_lines(api_settings)[-1]["note"] == "reseal"
    code, output = _verify(monkeypatch, api_settings, capsys)
    assert (code, "审计链完整:共 6 条记录" in output) == (0, True)
    with app.state.session_factory() as session:
        versions = set(session.scalars(select(AuditEvent.hash_version)))
    assert versions == {2}
    # the database's guards are back after the re-seal
    with pytest.raises(DBAPIError), app.state.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'x'"))


def test_reseal_refuses_a_tampered_legacy_chain(
    app: FastAPI,
    api_settings: Settings,
    chain: list[AuditEvent],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lift_audit_protection: Any,
) -> None:
    with lift_audit_protection(app.state.engine) as connection:
        connection.execute(
            update(AuditEvent).where(AuditEvent.seq == 3).values(actor="staff:mallory")
        )
    before = _head_lines(api_settings)
    assert _cli(monkeypatch, api_settings, "reseal-audit") == 1
    assert "第 3 条记录" in capsys.readouterr().err
    assert _head_lines(api_settings) == before
    with app.state.session_factory() as session:
        stored = session.scalars(select(AuditEvent).where(AuditEvent.seq == 3)).one()
    assert stored.hash == chain[2].hash  # nothing re-sealed


def test_an_engine_without_settings_cannot_append(app: FastAPI, db_url: str, clock: Any) -> None:
    engine = create_engine(db_url)
    try:
        with make_session_factory(engine)() as session, pytest.raises(AuditKeyMissingError):
            audit.record(
                session,
                actor="t",
                action="x",
                entity_type="t",
                entity_id=1,
                data={},
                at=clock.now(),
            )
    finally:
        engine.dispose()


def _canonical(event: AuditEvent) -> str:
    return canonical_json(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        data=event.data,
    )


def test_0007_down_and_up_keeps_the_guards(tmp_path: Any) -> None:
    from alembic import command

    from workflows.audit.protection import missing_protections
    from workflows.migrate import alembic_config, upgrade_to_head

    url = f"sqlite:///{tmp_path / 'a.db'}"
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path)  # type: ignore[call-arg]
    upgrade_to_head(settings)
    command.downgrade(alembic_config(settings), "0006_handoff_township")
    upgrade_to_head(settings)
    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            assert missing_protections(session) == []
            columns = session.execute(text("PRAGMA table_info(audit_events)")).all()
        assert "hash_version" in {row[1] for row in columns}
    finally:
        engine.dispose()


def test_migrations_run_as_the_schema_owner(tmp_path: Any) -> None:
    from workflows.migrate import alembic_config

    owner = f"sqlite:///{tmp_path / 'owner.db'}"
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite:///{tmp_path / 'app.db'}", database_owner_url=owner
    )
    assert alembic_config(settings).attributes["database_url"] == owner
