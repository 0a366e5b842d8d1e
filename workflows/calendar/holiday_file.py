"""Read the updatable holiday file (years → statutory holidays and 调休 make-up working days).

The file is read node by node so that every mistake is reported with the file and the line:
staff edit it by hand when the State Council publishes the next year's schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

DEFAULT_HOLIDAYS_FILE = Path(__file__).parent / "data" / "holidays.yaml"
_YEAR_KEYS = frozenset({"source", "holidays", "workdays"})


class HolidayFileError(ValueError):
    """A holiday file that cannot be used; the message names the file and the line (Chinese)."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path} 第{line}行" if line is not None else str(path)
        super().__init__(f"节假日文件 {where}:{problem}")


@dataclass(frozen=True)
class YearSchedule:
    """One year's schedule as published: rest days and the weekend days that are worked (调休)."""

    year: int
    source: str
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


def load_holiday_file(path: Path) -> dict[int, YearSchedule]:
    """Parse and check the file; raise HolidayFileError naming the file and line on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HolidayFileError(path, None, "文件不存在") from None
    except UnicodeDecodeError:
        raise HolidayFileError(path, None, "文件不是 UTF-8 编码") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise HolidayFileError(path, line, f"YAML 格式错误({exc.problem})") from None
    if root is None:
        raise HolidayFileError(path, None, "文件为空,至少应包含 years:")
    top = _mapping(path, root, "文件顶层")
    if set(top) != {"years"}:
        raise HolidayFileError(path, _line(root), "顶层只能有一个键 years:")
    _key_node, years_node = top["years"]
    schedules: dict[int, YearSchedule] = {}
    for key, (key_node, value_node) in _mapping(path, years_node, "years").items():
        year = _year(path, key_node, key)
        if year in schedules:
            raise HolidayFileError(path, _line(key_node), f"年份 {year} 重复出现")
        schedules[year] = _year_schedule(path, year, key_node, value_node)
    return schedules


def _year_schedule(path: Path, year: int, key_node: Node, node: Node) -> YearSchedule:
    fields = _mapping(path, node, f"{year} 年")
    unknown = set(fields) - _YEAR_KEYS
    if unknown:
        name = sorted(unknown)[0]
        raise HolidayFileError(
            path,
            _line(fields[name][0]),
            f"{year} 年下有未知的键 {name}(只允许 source、holidays、workdays)",
        )
    if "source" not in fields:
        raise HolidayFileError(path, _line(key_node), f"{year} 年缺少 source(发布通知的名称)")
    source_node = fields["source"][1]
    if not isinstance(source_node, ScalarNode) or not source_node.value.strip():
        raise HolidayFileError(path, _line(source_node), f"{year} 年的 source 应为通知名称文字")
    if "holidays" not in fields:
        raise HolidayFileError(path, _line(key_node), f"{year} 年缺少 holidays(放假日期列表)")
    holidays = _dates(path, year, fields["holidays"][1], "holidays")
    if not holidays:
        raise HolidayFileError(path, _line(fields["holidays"][1]), f"{year} 年的 holidays 不能为空")
    workdays = _dates(path, year, fields["workdays"][1], "workdays") if "workdays" in fields else {}
    for day, line in workdays.items():
        if day in holidays:
            raise HolidayFileError(path, line, f"{day} 同时出现在 holidays 和 workdays 中")
        if day.weekday() < 5:
            raise HolidayFileError(
                path, line, f"{day} 是周一至周五,本来就是工作日,不应列为调休上班日(workdays)"
            )
    return YearSchedule(
        year=year,
        source=source_node.value.strip(),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
    )


def _dates(path: Path, year: int, node: Node, field: str) -> dict[dt.date, int]:
    """The dates of one list, each with its line; every date must fall in ``year``."""
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return {}
    if not isinstance(node, SequenceNode):
        raise HolidayFileError(
            path, _line(node), f"{year} 年的 {field} 应为日期列表(每行 - YYYY-MM-DD)"
        )
    found: dict[dt.date, int] = {}
    for item in node.value:
        line = _line(item)
        if not isinstance(item, ScalarNode):
            raise HolidayFileError(path, line, f"{field} 中的每一项应为一个日期 YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(str(item.value).strip())
        except ValueError:
            raise HolidayFileError(
                path, line, f"“{item.value}”不是有效日期,应写成 YYYY-MM-DD,例如 {year}-10-01"
            ) from None
        if day.year != year:
            raise HolidayFileError(path, line, f"{day} 不在 {year} 年内,请写在 {day.year} 年下")
        if day in found:
            raise HolidayFileError(path, line, f"{day} 在 {field} 中重复出现")
        found[day] = line
    return found


def _mapping(path: Path, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
    if not isinstance(node, MappingNode):
        raise HolidayFileError(path, _line(node), f"{what} 应为“键: 值”形式的映射")
    result: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise HolidayFileError(path, _line(key_node), f"{what} 的键应为简单文字")
        if key_node.value in result:
            raise HolidayFileError(
                path, _line(key_node), f"{what} 中的键 {key_node.value} 重复出现"
            )
        result[key_node.value] = (key_node, value_node)
    return result


def _year(path: Path, node: Node, key: str) -> int:
    if not (key.isdigit() and len(key) == 4):
        raise HolidayFileError(
            path, _line(node), f"“{key}”不是年份,years 下的键应为四位年份,如 2027"
        )
    return int(key)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1
