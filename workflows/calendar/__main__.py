"""Check a holiday file before putting it in place: python -m workflows.calendar [FILE]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workflows.calendar.holiday_file import DEFAULT_HOLIDAYS_FILE, HolidayFileError
from workflows.calendar.working_days import WorkingDayCalendar


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workflows.calendar", description="检查节假日安排文件"
    )
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_HOLIDAYS_FILE)
    args = parser.parse_args(argv)
    try:
        calendar = WorkingDayCalendar(args.file)
    except HolidayFileError as exc:
        print(f"有误:{exc}", file=sys.stderr)
        return 1
    listed = sorted(calendar.file_years())
    years = sorted(calendar.known_years())
    print(f"文件 {args.file} 格式正确。")
    print(f"本文件列出的年份:{'、'.join(map(str, listed)) or '无'}")
    print(f"已知节假日安排的年份:{years[0]}–{years[-1]}" if years else "没有已知年份")
    for year in listed:
        print(f"  {year} 年来源:{calendar.source_of(year)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
