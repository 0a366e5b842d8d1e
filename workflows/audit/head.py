"""The chain head kept outside the database (JSON lines in settings.effective_audit_head_file).

Every successful check appends the current head (row count, last seq/id/hash, time). The next
check compares the table with the last exported head: fewer rows, another hash at the exported
position, or no file at all while rows exist is reported. That catches what the table alone
cannot show: a TRUNCATE, rows cut from the end together with the audit_head row, a rewrite.
Protect the file like a log (another host, append-only attribute, backups).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.audit.models import GENESIS_HASH, AuditEvent


@dataclass(frozen=True)
class ChainHead:
    count: int
    last_seq: int
    last_id: int | None
    last_hash: str
    at: str  # ISO time of the export
    note: str | None = None


class HeadFileUnreadableError(ValueError):
    pass


def current_head(session: Session, *, now: dt.datetime, note: str | None = None) -> ChainHead:
    count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return ChainHead(
        count=count,
        last_seq=last.seq if last else 0,
        last_id=last.id if last else None,
        last_hash=last.hash if last else GENESIS_HASH,
        at=now.astimezone(dt.UTC).isoformat(),
        note=note,
    )


def last_exported(path: Path) -> ChainHead | None:
    """The last head in the file; None when there is no file (or it is empty)."""
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    try:
        raw = json.loads(lines[-1])
        return ChainHead(
            count=int(raw["count"]),
            last_seq=int(raw["last_seq"]),
            last_id=raw.get("last_id"),
            last_hash=str(raw["last_hash"]),
            at=str(raw["at"]),
            note=raw.get("note"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise HeadFileUnreadableError(f"链头文件 {path} 最后一行无法解析:{exc}") from exc


def compare(session: Session, exported: ChainHead | None, current: ChainHead) -> list[str]:
    """Problems of the table against the last exported head (empty: consistent)."""
    if exported is None:
        if current.count > 0:
            return [
                f"链头文件不存在,而审计表已有 {current.count} 条记录(文件被删除?);"
                "首次使用请运行 python -m workflows export-audit-head --init"
            ]
        return []
    problems = []
    if current.count < exported.count:
        problems.append(
            f"审计记录比上次导出的链头少:上次 {exported.count} 条({exported.at}),"
            f"现在 {current.count} 条(记录被删除或表被清空)"
        )
    if exported.count > 0:
        row = session.scalars(select(AuditEvent).where(AuditEvent.seq == exported.last_seq)).first()
        if row is None:
            problems.append(f"上次导出的链头所在的第 {exported.last_seq} 条记录已不存在")
        elif row.hash != exported.last_hash:
            problems.append(
                f"第 {exported.last_seq} 条记录的哈希与上次导出的链头不同(审计链被重写)"
            )
    return problems


def append(path: Path, head: ChainHead) -> None:
    """Append one JSON line and fsync it (the file only grows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(head), ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
