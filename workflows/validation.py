"""Validation errors in Chinese: a RequestValidationError handler and a helper to raise them.

Pydantic's English messages are translated by error type; validators in this project raise
``ValueError`` with a Chinese message already, which is passed through without the
"Value error, " prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

_TEMPLATES: dict[str, str] = {
    "missing": "此项为必填项",
    "string_type": "应为文字",
    "string_too_short": "内容过短(至少{min_length}个字符)",
    "string_too_long": "内容过长(最多{max_length}个字符)",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为是或否(true/false)",
    "bool_parsing": "应为是或否(true/false)",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "必须大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "必须小于{lt}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_short": "至少需要{min_length}项",
    "too_long": "最多{max_length}项",
    "date_type": "应为日期(如 2026-11-28)",
    "date_parsing": "日期格式不正确(如 2026-11-28)",
    "date_from_datetime_parsing": "日期格式不正确(如 2026-11-28)",
    "datetime_type": "应为日期时间(如 2026-11-28T10:00:00+08:00)",
    "datetime_parsing": "日期时间格式不正确(如 2026-11-28T10:00:00+08:00)",
    "datetime_from_date_parsing": "日期时间格式不正确(如 2026-11-28T10:00:00+08:00)",
    "json_invalid": "请求内容不是有效的 JSON",
    "json_type": "请求内容不是有效的 JSON",
    "extra_forbidden": "不认识的字段",
    "none_required": "此项应为空",
    "url_parsing": "网址格式不正确",
}


def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace(" or ", "、").replace("'", "")


def translate(error: Mapping[str, Any]) -> str:
    """One pydantic error as a Chinese sentence."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message
    if kind in ("enum", "literal_error"):
        return f"取值无效,可选:{_choices(ctx)}"
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return "不能为负数"
    template = _TEMPLATES.get(kind)
    if template is None:
        return "内容不符合要求"
    shown = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


def chinese_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": list(error.get("loc", ())), "msg": translate(error), "type": error.get("type")}
        for error in errors
    ]


def field_errors(
    pairs: Sequence[tuple[Sequence[str | int], str]], *, where: str = "body"
) -> RequestValidationError:
    """Build a 422 from (location, Chinese message) pairs found by a service check.

    ``where`` is the part of the request: "body", "query" or "path".
    """
    return RequestValidationError(
        [{"loc": (where, *loc), "msg": msg, "type": "value_error"} for loc, msg in pairs]
    )


async def _handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=422, content=jsonable_encoder({"detail": chinese_errors(exc.errors())})
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _handler)
