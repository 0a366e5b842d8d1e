"""A bad holiday file is refused with a Chinese message naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.calendar import HolidayFileError, WorkingDayCalendar, load_holiday_file

GOOD_HEAD = "years:\n  2027:\n    source: 测试\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD_HEAD + "    holidays:\n      - 2027-02-30\n", 5, "不是有效日期"),
        (
            GOOD_HEAD + "    holidays:\n      - 2027-01-01\n      - 2028-01-01\n",
            6,
            "不在 2027 年内",
        ),
        (GOOD_HEAD + "    holidays:\n      - 2027-01-01\n      - 2027-01-01\n", 6, "重复"),
        (
            GOOD_HEAD + "    holidays: [2027-01-01]\n    workdays:\n      - 2027-01-05\n",
            6,
            "周一至周五",
        ),
        (GOOD_HEAD + "    holidays: [2027-01-02]\n    workdays: [2027-01-02]\n", 5, "同时出现"),
        (GOOD_HEAD + "    holiday: [2027-01-01]\n", 4, "未知的键 holiday"),
        ("years:\n  2027:\n    holidays: [2027-01-01]\n", 2, "缺少 source"),
        ("years:\n  二〇二七:\n    source: x\n    holidays: [2027-01-01]\n", 2, "不是年份"),
        (GOOD_HEAD + "    holidays: [2027-01-01\n", 5, "YAML 格式错误"),
        ("year:\n  2027: {}\n", 1, "顶层只能有一个键"),
        (GOOD_HEAD + "    holidays: []\n", 4, "不能为空"),
    ],
)
def test_bad_file_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(HolidayFileError) as caught:
        WorkingDayCalendar(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"第{line}行" in message, message
    assert words in message, message
    assert caught.value.line == line


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(HolidayFileError, match="文件不存在") as caught:
        load_holiday_file(path)
    assert str(path) in str(caught.value)


def test_empty_workdays_and_comments_are_fine(tmp_path: Path) -> None:
    path = _write(
        tmp_path, GOOD_HEAD + "    holidays:\n      - 2027-01-01  # 元旦\n    workdays: []\n"
    )
    schedule = load_holiday_file(path)[2027]
    assert schedule.workdays == frozenset()
    assert len(schedule.holidays) == 1
