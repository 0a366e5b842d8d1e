"""Import the directory from a CSV file (UTF-8, with or without BOM; Chinese column headers).

Every row is checked; each problem is reported as "第N行 〔列〕:说明" (N = the line in the file,
the header being line 1). Two modes:

- ``all`` (default): if any row is bad the whole file is refused and nothing is written;
- ``partial``: bad rows are rejected and reported, good rows are written.

Rows are matched on 编号 (code): an existing facility is updated, a new one created. Facilities
missing from the file are left alone. Every import writes one audit event (counts, mode, actor).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import townships
from huimin.eldercare import FacilityKind, Service, kind_from_text, service_from_text
from workflows.audit import service as audit
from workflows.eldercare.models import Facility

Mode = Literal["all", "partial"]
MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive

# column key -> the header in the file (the order of the template and of the sample file)
HEADERS: dict[str, str] = {
    "code": "编号",
    "name": "名称",
    "kind": "类型",
    "township": "乡镇街道",
    "community": "村社区",
    "address": "地址",
    "lat": "纬度",
    "lon": "经度",
    "hours": "开放时间",
    "services": "服务项目",
    "price_note": "收费或补贴说明",
    "phone": "电话",
    "operator": "运营单位",
    "checked_on": "核对日期",
    "sample": "示例数据",
    "total_beds": "总床位",
    "nursing_beds": "护理型床位",
    "dementia_zone": "失智照护专区",
}
REQUIRED = ("code", "name", "kind", "township", "community", "address", "lat", "lon", "hours",
            "services", "phone", "operator", "checked_on")  # fmt: skip
LIMITS = {"code": 40, "name": 100, "community": 60, "address": 200, "hours": 100, "phone": 40,
          "operator": 100, "price_note": 2000}  # fmt: skip
# District extent with a margin (degrees): a point outside is a typing error, not a facility.
LAT_BOUNDS = (29.5, 30.4)
LON_BOUNDS = (119.3, 120.4)
PHONE_RE = re.compile(r"^[0-9\-— ()()]{7,40}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
TRUE_WORDS = {"是", "true", "1", "yes", "y", "有"}
FALSE_WORDS = {"", "否", "false", "0", "no", "n", "无"}


class ImportRefusedError(ValueError):
    """The file cannot be read at all (encoding, headers, size): nothing was written."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行〔{self.column}〕:{self.message}"


@dataclass
class FacilityRecord:
    line: int
    code: str
    name: str
    kind: FacilityKind
    township_code: str
    community: str
    address: str
    lat: float
    lon: float
    hours: str
    services: list[Service]
    price_note: str
    phone: str
    operator: str
    checked_on: dt.date
    sample: bool
    total_beds: int | None
    nursing_beds: int | None
    dementia_zone: bool


@dataclass
class ImportReport:
    mode: Mode
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    def summary(self) -> str:
        if not self.written:
            return f"导入未执行:共{self.rows}行,{len(self.rejected_lines)}行有错误,整个文件未导入"
        rejected = len(self.rejected_lines)
        text = f"导入完成:共{self.rows}行,新增{self.created}个,更新{self.updated}个"
        return text + (f",{rejected}行有错误未导入" if rejected else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "written": self.written,
            "rejected_lines": self.rejected_lines,
            "errors": [
                {"line": e.line, "column": e.column, "message": e.message, "text": str(e)}
                for e in self.errors
            ],
            "summary": self.summary(),
        }


def _bool(raw: str, column: str, line: int, errors: list[RowError]) -> bool:
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    errors.append(RowError(line, column, f"应填“是”或“否”,不是“{raw}”"))
    return False


def _int(raw: str, column: str, line: int, errors: list[RowError]) -> int | None:
    value = raw.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > 100_000:
        errors.append(RowError(line, column, f"应为0到100000之间的整数,不是“{raw}”"))
        return None
    return int(value)


def _coordinate(raw: str, column: str, bounds: tuple[float, float], line: int,
                errors: list[RowError]) -> float:  # fmt: skip
    try:
        value = float(raw.strip())
    except ValueError:
        errors.append(RowError(line, column, f"应为十进制度数(例如 30.05),不是“{raw}”"))
        return 0.0
    if not bounds[0] <= value <= bounds[1]:
        errors.append(
            RowError(line, column, f"{value} 不在富阳区范围内({bounds[0]}–{bounds[1]}),请核对")
        )
    return value


def parse_row(cells: dict[str, str], line: int) -> tuple[FacilityRecord | None, list[RowError]]:
    """One data row (keyed by column key) → a record, or the row's errors."""
    errors: list[RowError] = []
    value = {key: (cells.get(key) or "").strip() for key in HEADERS}
    for key in REQUIRED:
        if not value[key]:
            errors.append(RowError(line, HEADERS[key], "不能为空"))
    for key, limit in LIMITS.items():
        if len(value[key]) > limit:
            errors.append(RowError(line, HEADERS[key], f"不能超过{limit}个字"))
    if value["code"] and not CODE_RE.match(value["code"]):
        errors.append(RowError(line, HEADERS["code"], "只能包含字母、数字、下划线和短横线"))
    kind = kind_from_text(value["kind"]) if value["kind"] else None
    if value["kind"] and kind is None:
        names = "、".join(k.label for k in FacilityKind)
        errors.append(RowError(line, HEADERS["kind"], f"无法识别“{value['kind']}”,可填:{names}"))
    township = townships.from_text(value["township"]) if value["township"] else None
    if value["township"] and township is None:
        errors.append(
            RowError(line, HEADERS["township"], f"“{value['township']}”不是富阳区的乡镇(街道)")
        )
    services: list[Service] = []
    for word in re.split(r"[、,,;;/\s]+", value["services"]):
        if not word:
            continue
        service = service_from_text(word)
        if service is None:
            errors.append(RowError(line, HEADERS["services"], f"无法识别服务项目“{word}”"))
        elif service not in services:
            services.append(service)
    lat = (
        _coordinate(value["lat"], HEADERS["lat"], LAT_BOUNDS, line, errors) if value["lat"] else 0.0
    )
    lon = (
        _coordinate(value["lon"], HEADERS["lon"], LON_BOUNDS, line, errors) if value["lon"] else 0.0
    )
    if value["phone"] and not PHONE_RE.match(value["phone"]):
        errors.append(RowError(line, HEADERS["phone"], f"“{value['phone']}”不像电话号码"))
    checked_on = dt.date(1970, 1, 1)
    if value["checked_on"]:
        try:
            checked_on = dt.date.fromisoformat(value["checked_on"].replace("/", "-"))
        except ValueError:
            errors.append(RowError(line, HEADERS["checked_on"], "日期格式应为 YYYY-MM-DD"))
    sample = _bool(value["sample"], HEADERS["sample"], line, errors)
    dementia = _bool(value["dementia_zone"], HEADERS["dementia_zone"], line, errors)
    total = _int(value["total_beds"], HEADERS["total_beds"], line, errors)
    nursing = _int(value["nursing_beds"], HEADERS["nursing_beds"], line, errors)
    if total is not None and nursing is not None and nursing > total:
        errors.append(RowError(line, HEADERS["nursing_beds"], "护理型床位不能多于总床位"))
    if errors or kind is None or township is None:
        return None, errors
    return (
        FacilityRecord(
            line=line,
            code=value["code"],
            name=value["name"],
            kind=kind,
            township_code=township.code,
            community=value["community"],
            address=value["address"],
            lat=lat,
            lon=lon,
            hours=value["hours"],
            services=services,
            price_note=value["price_note"],
            phone=value["phone"],
            operator=value["operator"],
            checked_on=checked_on,
            sample=sample,
            total_beds=total,
            nursing_beds=nursing,
            dementia_zone=dementia,
        ),
        [],
    )


def parse_csv(data: bytes) -> tuple[list[FacilityRecord], list[RowError], int]:
    """(good records, row errors, data rows) of a CSV file; ``ImportRefusedError`` if unreadable."""
    if len(data) > MAX_BYTES:
        raise ImportRefusedError(f"文件超过{MAX_BYTES // (1024 * 1024)}MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(
            "文件不是UTF-8编码的CSV(请在表格软件中“另存为 CSV UTF-8”)"
        ) from exc
    return _parse_rows(csv.reader(io.StringIO(text)))


def parse_table(data: bytes) -> tuple[list[FacilityRecord], list[RowError], int]:
    """A CSV file or an Excel workbook (.xlsx: its first sheet), told apart by content."""
    if data[:4] == XLSX_MAGIC:
        return parse_xlsx(data)
    return parse_csv(data)


def parse_xlsx(data: bytes) -> tuple[list[FacilityRecord], list[RowError], int]:
    """The first sheet of an .xlsx workbook, cells read as the text a CSV export would hold."""
    if len(data) > MAX_BYTES:
        raise ImportRefusedError(f"文件超过{MAX_BYTES // (1024 * 1024)}MB")
    from openpyxl import load_workbook  # only when a workbook arrives

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or disguised file: openpyxl raises many kinds
        raise ImportRefusedError("无法读取这个Excel文件(请确认是 .xlsx 格式且未加密)") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportRefusedError("Excel文件里没有工作表")
        rows = (
            [_cell_text(value) for value in row]
            for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
        )
        return _parse_rows(rows)
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the text a CSV export would hold: 12.0 → "12", a date → "2026-11-30"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _parse_rows(reader: Iterator[list[str]]) -> tuple[list[FacilityRecord], list[RowError], int]:
    header = next(reader, None)
    if header is None:
        raise ImportRefusedError("文件是空的")
    by_header = {title: key for key, title in HEADERS.items()}
    columns = [by_header.get(cell.strip()) for cell in header]
    missing = [HEADERS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise ImportRefusedError(f"缺少列:{'、'.join(missing)}(第一行应为列名,见导入模板)")
    records: list[FacilityRecord] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    rows = 0
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportRefusedError(f"一次最多导入{MAX_ROWS}行")
        keyed = {key: cell for key, cell in zip(columns, cells, strict=False) if key}
        record, row_errors = parse_row(keyed, line)
        if record is not None and record.code in seen:
            row_errors = [RowError(line, HEADERS["code"], f"与第{seen[record.code]}行编号重复")]
            record = None
        if record is not None:
            seen[record.code] = line
            records.append(record)
        errors.extend(row_errors)
    return records, errors, rows


def apply(
    session: Session,
    records: list[FacilityRecord],
    *,
    actor: str,
    now: dt.datetime,
) -> tuple[int, int]:
    """Create or update the facilities (matched on code); (created, updated). Caller commits."""
    existing = {
        f.code: f
        for f in session.scalars(
            select(Facility).where(Facility.code.in_([r.code for r in records]))
        )
    } if records else {}  # fmt: skip
    created = updated = 0
    for record in records:
        facility = existing.get(record.code)
        if facility is None:
            facility = Facility(code=record.code)
            session.add(facility)
            created += 1
        else:
            updated += 1
        facility.name = record.name
        facility.kind = record.kind.value
        facility.township_code = record.township_code
        facility.community = record.community
        facility.address = record.address
        facility.lat = record.lat
        facility.lon = record.lon
        facility.hours = record.hours
        facility.services = ",".join(s.value for s in record.services)
        facility.price_note = record.price_note
        facility.phone = record.phone
        facility.operator = record.operator
        facility.checked_on = record.checked_on
        facility.sample = record.sample
        facility.total_beds = record.total_beds
        facility.nursing_beds = record.nursing_beds
        facility.dementia_zone = record.dementia_zone
        facility.updated_at = now
        facility.updated_by = actor
    session.flush()
    return created, updated


def import_csv(
    session: Session, data: bytes, *, mode: Mode, actor: str, now: dt.datetime, source: str = ""
) -> ImportReport:
    """Check and (per `mode`) write a CSV file or an .xlsx workbook; the report says what
    happened. Caller commits."""
    records, errors, rows = parse_table(data)
    report = ImportReport(mode=mode, rows=rows, errors=errors)
    if errors and mode == "all":
        return report
    report.created, report.updated = apply(session, records, actor=actor, now=now)
    report.written = True
    audit.record(
        session,
        actor=actor,
        action="eldercare.directory_imported",
        entity_type="eldercare_directory",
        entity_id="directory",
        data={
            "mode": mode,
            "source": source[:200],
            "rows": rows,
            "created": report.created,
            "updated": report.updated,
            "rejected_lines": report.rejected_lines[:200],
        },
        at=now,
    )
    return report
