"""Chinese messages for pydantic's built-in validation errors (used by the eligibility schemas)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

_CJK = re.compile(r"[\u4e00-\u9fff]")

_BY_TYPE: dict[str, str] = {
    "missing": "缺少必填项",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "finite_number": "应为有效数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "请求内容不是有效的 JSON",
    "json_type": "请求内容不是有效的 JSON",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    return str(loc[-1]) if loc else ""


def chinese_message(error: dict[str, Any]) -> str:
    """A resident-readable Chinese message for one pydantic error dict."""
    message = str(error.get("msg", ""))
    kind = str(error.get("type", ""))
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
        return message if _CJK.search(message) else "输入无效,请核对"
    ctx = error.get("ctx") or {}
    loc = tuple(error.get("loc", ()))
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        if _field_name(loc) in ("programs",) or (len(loc) >= 2 and loc[-2] == "programs"):
            return f"未知的救助项目,可选:{expected}"
        if _field_name(loc) == "kind":
            return f"未知的类型,可选:{expected}"
        return f"取值无效,可选:{expected}"
    if kind == "too_short":
        return f"至少需要{ctx.get('min_length', 1)}项" + (
            "(家庭成员至少填写1人)" if _field_name(loc) == "members" else ""
        )
    if kind == "too_long":
        return f"最多{ctx.get('max_length', '')}项"
    if kind == "string_too_long":
        return f"最多{ctx.get('max_length', '')}个字"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{ctx.get('ge', ctx.get('gt', ''))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{ctx.get('le', ctx.get('lt', ''))}"
    if kind == "extra_forbidden":
        return "不支持的字段"
    return _BY_TYPE.get(kind, "输入无效,请核对")


def translate_errors(exc: ValidationError) -> list[InitErrorDetails]:
    """Rebuild a ValidationError's line errors with Chinese messages (same loc and input)."""
    details: list[InitErrorDetails] = []
    for error in exc.errors():
        message = chinese_message(dict(error))
        detail: InitErrorDetails = {
            # "value_error" so that any app-wide handler passes the Chinese message through as is
            "type": PydanticCustomError(
                "value_error", message.replace("{", "(").replace("}", ")"), {"kind": error["type"]}
            ),
            "loc": tuple(error["loc"]),
            "input": error.get("input"),
        }
        details.append(detail)
    return details
