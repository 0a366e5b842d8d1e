"""make_calendar keeps serving the last good holiday file when an edit breaks it; the CLI check."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from huimin.settings import Settings
from workflows.calendar import HolidayFileError, make_calendar
from workflows.calendar.__main__ import main as check_main

GOOD = "years:\n  2027:\n    source: 测试\n    holidays: [2027-01-01]\n"
BROKEN = "years:\n  2027:\n    source: 测试\n    holidays: [2027-01-32]\n"


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))  # a distinct version even within one clock tick


def test_broken_edit_keeps_last_good_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "holidays.yaml"
    settings = Settings(_env_file=None, holidays_file=path)
    _write(path, GOOD, 1_000_000_000)
    good = make_calendar(settings)
    assert 2027 in good.known_years()
    _write(path, BROKEN, 2_000_000_000)
    with caplog.at_level(logging.ERROR, logger="workflows.calendar.factory"):
        assert make_calendar(settings) is good
    assert "第4行" in caplog.text
    assert str(path) in caplog.text


def test_broken_file_without_good_version_raises(tmp_path: Path) -> None:
    path = tmp_path / "fresh.yaml"
    _write(path, BROKEN, 3_000_000_000)
    with pytest.raises(HolidayFileError, match="第4行"):
        make_calendar(Settings(_env_file=None, holidays_file=path))


def test_cli_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "holidays.yaml"
    _write(path, GOOD, 4_000_000_000)
    assert check_main([str(path)]) == 0
    assert "格式正确" in capsys.readouterr().out
    _write(path, BROKEN, 5_000_000_000)
    assert check_main([str(path)]) == 1
    assert "第4行" in capsys.readouterr().err
