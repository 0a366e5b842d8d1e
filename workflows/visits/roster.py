"""The roster: targets from approved cases (a case-approval effect), from a CSV import (row-level
Chinese errors, nothing saved when any row is wrong) and by staff; removal ends a target's spell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import idcard, townships
from workflows.audit import service as audit
from workflows.visits import rate
from workflows.visits.enums import CATEGORY_BY_LABEL, CATEGORY_OF_PROGRAM, TargetCategory
from workflows.visits.models import TargetCategoryRow, VisitTarget

CSV_COLUMNS = ("姓名", "身份证号码", "乡镇街道", "村社区", "类别", "负责人", "地址", "电话")


@dataclass(frozen=True)
class TargetData:
    name: str
    id_number: str
    township_code: str
    village: str
    categories: frozenset[TargetCategory]
    worker_username: str | None = None
    address: str = ""
    phone: str | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)


def upsert(
    session: Session,
    *,
    data: TargetData,
    source: str,
    today: dt.date,
    now: dt.datetime,
    actor: str,
    case_id: int | None = None,
) -> tuple[VisitTarget, bool]:
    """Add the person (or the new categories of a person already on the roster); returns
    (target, created). A person removed earlier comes back with a new spell from today."""
    target = session.scalars(
        select(VisitTarget).where(VisitTarget.id_number == data.id_number)
    ).first()
    created = target is None
    if target is None:
        target = VisitTarget(
            id_number=data.id_number,
            name=data.name,
            birth_date=idcard.parse(data.id_number, today=today).birth_date,
            township_code=data.township_code,
            village=data.village,
            address=data.address,
            phone=data.phone,
            worker_username=data.worker_username,
            source=source,
            case_id=case_id,
            added_on=today,
            created_at=now,
        )
        session.add(target)
    else:
        if target.removed_on is not None:
            target.removed_on = None
            target.added_on = today
        target.name = data.name
        target.township_code = data.township_code
        if data.village:
            target.village = data.village
        if data.address:
            target.address = data.address
        if data.phone:
            target.phone = data.phone
        if data.worker_username:
            target.worker_username = data.worker_username
    have = set(target.category_codes)
    for category in sorted(data.categories):
        if category.value not in have:
            target.categories.append(TargetCategoryRow(category=category.value))
    target.category_mask = rate.mask_of(target.category_codes)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="visit_target.added" if created else "visit_target.updated",
        entity_type="visit_target",
        entity_id=target.id,
        data={
            "source": source,
            "township_code": target.township_code,
            "categories": sorted(data.categories),
            "id_number": idcard.mask(target.id_number),
        },
        at=now,
    )
    return target, created


def add_from_case(
    session: Session,
    *,
    program: str,
    case_id: int,
    name: str,
    id_number: str,
    township_code: str,
    phone: str | None,
    today: dt.date,
    now: dt.datetime,
    actor: str,
) -> VisitTarget | None:
    """The case-approval effect: an approved 低保/低边/特困 case puts its household (the applicant)
    on the roster of the handling township; the village is assigned later. Other programs: None."""
    category = CATEGORY_OF_PROGRAM.get(program)
    if category is None:
        return None
    target, _ = upsert(
        session,
        data=TargetData(
            name=name,
            id_number=id_number,
            township_code=township_code,
            village="",
            categories=frozenset({category}),
            phone=phone,
        ),
        source="case",
        today=today,
        now=now,
        actor=actor,
        case_id=case_id,
    )
    return target


def remove(
    session: Session,
    *,
    target: VisitTarget,
    today: dt.date,
    now: dt.datetime,
    actor: str,
    reason: str,
) -> None:
    """Take a target off the roster from today (its earlier months keep counting it)."""
    target.removed_on = today
    audit.record(
        session,
        actor=actor,
        action="visit_target.removed",
        entity_type="visit_target",
        entity_id=target.id,
        data={"reason": reason},
        at=now,
    )


def _categories(raw: str) -> tuple[frozenset[TargetCategory], str | None]:
    parts = [
        p.strip() for p in raw.replace(";", "、").replace(",", "、").replace(",", "、").split("、")
    ]
    parts = [p for p in parts if p]
    if not parts:
        return frozenset(), "类别不能为空(如:独居、失能)"
    found: set[TargetCategory] = set()
    for part in parts:
        category = CATEGORY_BY_LABEL.get(part)
        if category is None:
            try:
                category = TargetCategory(part)
            except ValueError:
                return frozenset(), f"类别“{part}”不在名单中"
        found.add(category)
    return frozenset(found), None


def parse_row(
    row: dict[str, str], *, today: dt.date, allowed_township: str | None
) -> tuple[TargetData | None, list[str]]:
    """One CSV row as TargetData, or its Chinese problems."""
    problems: list[str] = []
    name = (row.get("姓名") or "").strip()
    if not name:
        problems.append("姓名不能为空")
    number = idcard.normalise(row.get("身份证号码") or "")
    try:
        idcard.parse(number, today=today)
    except idcard.InvalidIdNumber as exc:
        problems.append(str(exc))
    township = townships.from_text(row.get("乡镇街道") or "")
    if township is None:
        problems.append(f"乡镇(街道)“{(row.get('乡镇街道') or '').strip()}”不存在")
    elif allowed_township is not None and township.code != allowed_township:
        problems.append(f"{township.name}不属于您所在的乡镇(街道),不能导入")
    village = (row.get("村社区") or "").strip()
    if not village:
        problems.append("村(社区)不能为空")
    categories, problem = _categories(row.get("类别") or "")
    if problem:
        problems.append(problem)
    if problems or township is None:
        return None, problems
    return (
        TargetData(
            name=name,
            id_number=number,
            township_code=township.code,
            village=village,
            categories=categories,
            worker_username=(row.get("负责人") or "").strip() or None,
            address=(row.get("地址") or "").strip(),
            phone=(row.get("电话") or "").strip() or None,
        ),
        [],
    )


def read_csv(content: bytes) -> tuple[list[dict[str, str]], str | None]:
    """The rows of an uploaded CSV (UTF-8, with or without BOM; GB18030 as saved by Excel)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], "文件编码无法识别,请另存为UTF-8编码的CSV"
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS[:5] if c not in (reader.fieldnames or [])]
    if missing:
        return [], f"缺少列:{'、'.join(missing)}(表头应为:{','.join(CSV_COLUMNS)})"
    return list(reader), None


def import_rows(
    session: Session,
    *,
    rows: Iterable[dict[str, str]],
    today: dt.date,
    now: dt.datetime,
    actor: str,
    allowed_township: str | None,
) -> ImportResult:
    """All rows or none: any row's problems are returned (row numbers as in the file, the header
    being row 1) and nothing is saved; the caller commits only when ``errors`` is empty."""
    result = ImportResult()
    parsed: list[TargetData] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=2):
        data, problems = parse_row(row, today=today, allowed_township=allowed_township)
        if data is not None and data.id_number in seen:
            problems = [f"与第{seen[data.id_number]}行的身份证号码重复"]
        if problems:
            result.errors.append({"row": index, "problems": problems})
            continue
        assert data is not None
        seen[data.id_number] = index
        parsed.append(data)
    if result.errors:
        return result
    for data in parsed:
        _, created = upsert(session, data=data, source="import", today=today, now=now, actor=actor)
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result
