"""CSV import: each bad row is reported in Chinese with its line and column; the sample is clean."""

from __future__ import annotations

import pytest

from huimin.eldercare import FacilityKind, Service
from workflows.eldercare import importer
from workflows.eldercare.communities import SAMPLE_FACILITIES_FILE, load_communities

HEADER = ",".join(importer.HEADERS.values())
GOOD = (
    "T-1,示例食堂,老年食堂,富春街道,示例社区,示例路1号,30.05,119.95,每日 11:00-12:30,"
    "助餐、助洁,示例:每份8元,0571-00000001,示例单位,2026-11-30,是,,,"
)


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join((HEADER, *rows)) + "\n").encode("utf-8")


def test_shipped_sample_is_valid_and_covers_every_township() -> None:
    records, errors, rows = importer.parse_csv(SAMPLE_FACILITIES_FILE.read_bytes())
    assert errors == []
    assert rows == len(records) > 300
    assert all(r.sample for r in records)
    assert all("示例" in r.name for r in records)
    assert {r.kind for r in records} == set(FacilityKind)  # every kind the plan names
    assert len({r.township_code for r in records}) == 24
    assert {c.township_code for c in load_communities()} == {r.township_code for r in records}
    homes = [r for r in records if r.kind is FacilityKind.CARE_HOME]
    assert any(r.dementia_zone for r in homes)
    assert all(r.nursing_beds is not None and r.total_beds for r in homes)


def test_good_row() -> None:
    records, errors, rows = importer.parse_csv(csv_bytes(GOOD))
    assert errors == []
    assert rows == 1
    [record] = records
    assert record.kind is FacilityKind.CANTEEN
    assert record.township_code == "330111001000"
    assert record.services == [Service.MEAL, Service.CLEANING]
    assert record.sample is True


def test_bom_and_blank_lines_are_fine() -> None:
    data = b"\xef\xbb\xbf" + csv_bytes(GOOD, "", ",,,")
    records, errors, rows = importer.parse_csv(data)
    assert len(records) == 1
    assert errors == []
    assert rows == 1


@pytest.mark.parametrize(
    ("replace", "column", "message"),
    [
        (("老年食堂", "游泳馆"), "类型", "无法识别“游泳馆”"),
        (("富春街道", "西湖区"), "乡镇街道", "“西湖区”不是富阳区的乡镇(街道)"),
        (("30.05", "39.9"), "纬度", "不在富阳区范围内"),
        (("119.95", "东经"), "经度", "应为十进制度数"),
        (("助餐、助洁", "助餐、唱歌"), "服务项目", "无法识别服务项目“唱歌”"),
        (("2026-11-30", "2026年11月"), "核对日期", "YYYY-MM-DD"),
        (("0571-00000001", "请致电"), "电话", "不像电话号码"),
        ((",是,", ",也许,"), "示例数据", "应填“是”或“否”"),
        (("示例食堂", ""), "名称", "不能为空"),
    ],
)
def test_bad_row_reports_line_column_and_reason(
    replace: tuple[str, str], column: str, message: str
) -> None:
    bad = GOOD.replace(*replace, 1)
    records, errors, rows = importer.parse_csv(csv_bytes(GOOD.replace("T-1", "T-0"), bad))
    assert rows == 2
    assert len(records) == 1
    assert [(e.line, e.column) for e in errors] == [(3, column)]
    assert message in errors[0].message
    assert str(errors[0]).startswith(f"第3行〔{column}〕:")


def test_beds_must_be_consistent() -> None:
    row = GOOD.replace(",是,,,", ",是,50,80,是")
    _, errors, _ = importer.parse_csv(csv_bytes(row))
    assert [e.message for e in errors] == ["护理型床位不能多于总床位"]


def test_duplicate_code_is_rejected() -> None:
    _, errors, _ = importer.parse_csv(csv_bytes(GOOD, GOOD))
    assert [str(e) for e in errors] == ["第3行〔编号〕:与第2行编号重复"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        ("名称,类型\n甲,乙\n".encode(), "缺少列:编号"),
        (csv_bytes(GOOD).decode().encode("gb18030"), "不是UTF-8"),
    ],
)
def test_unreadable_file_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(importer.ImportRefusedError, match=message):
        importer.parse_csv(data)


def xlsx_bytes(*rows: list[object]) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(importer.HEADERS.values()))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _good_cells() -> list[object]:
    """The GOOD row as a spreadsheet holds it: numbers and a date typed as such."""
    import datetime as dt

    cells: list[object] = list(GOOD.split(","))
    cells[6], cells[7] = 30.05, 119.95
    cells[13] = dt.datetime(2026, 11, 30)
    return cells


def test_an_excel_workbook_is_read_like_the_csv() -> None:
    records, errors, rows = importer.parse_table(xlsx_bytes(_good_cells()))
    assert errors == []
    assert rows == 1
    [record] = records
    assert record.kind is FacilityKind.CANTEEN
    assert record.township_code == "330111001000"
    assert (record.lat, record.lon) == (30.05, 119.95)
    assert record.checked_on.isoformat() == "2026-11-30"


def test_bad_excel_rows_are_reported_in_chinese_with_their_line() -> None:
    bad = _good_cells()
    bad[0], bad[2] = "T-2", "游泳馆"
    records, errors, rows = importer.parse_table(xlsx_bytes(_good_cells(), bad))
    assert rows == 2
    assert len(records) == 1
    [error] = errors
    assert (error.line, error.column) == (3, "类型")
    assert "游泳馆" in error.message


def test_a_damaged_workbook_is_refused_in_chinese() -> None:
    with pytest.raises(importer.ImportRefusedError, match="无法读取这个Excel文件"):
        importer.parse_table(b"PK\x03\x04 not really a zip archive")
