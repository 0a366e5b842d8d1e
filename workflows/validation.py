"""Validation in Chinese, for the whole API: one translator of pydantic's messages, the 422
handler, and the day validators judge "in the future" against.

- ``translate(error)``: one pydantic error as a Chinese sentence. Pydantic's English messages are
  translated by error type; validators in this project raise ``ValueError`` or
  ``PydanticCustomError("value_error", …)`` with a Chinese message already, which is passed
  through without the "Value error, " prefix.
- ``ChineseMessages``: a pydantic base model whose ``ValidationError`` already carries the
  translated messages (error types and locations unchanged), so in-process callers (the case
  page, the pre-screening) see the same text as the API's 422.
- ``install(app)``: the ``RequestValidationError`` handler (422 ``detail``: loc, msg, type) and,
  for every request, the app clock's local today as the validation day.
- ``validation_context(today)`` / ``today_of(info)``: validators that need today (an ID number's
  birth date must not be in the future) read it from the pydantic validation context, else from
  the request's validation day; never from the wall clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from starlette.types import ASGIApp, Receive, Scope, Send

from workflows.clock import local_today

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TRANSLATED = "zh"  # ctx key marking an error whose message is already Chinese

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
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "finite_number": "应为有效数字",
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
    "date_from_datetime_inexact": "日期格式不正确(如 2026-11-28)",
    "datetime_type": "应为日期时间(如 2026-11-28T10:00:00+08:00)",
    "datetime_parsing": "日期时间格式不正确(如 2026-11-28T10:00:00+08:00)",
    "datetime_from_date_parsing": "日期时间格式不正确(如 2026-11-28T10:00:00+08:00)",
    "json_invalid": "请求内容不是有效的 JSON",
    "json_type": "请求内容不是有效的 JSON",
    "extra_forbidden": "不认识的字段",
    "none_required": "此项应为空",
    "url_parsing": "网址格式不正确",
}


# Translation ------------------------------------------------------------------------------------
def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace(" or ", "、").replace(", ", "、").replace("'", "")


def _about_programs(loc: Sequence[Any]) -> bool:
    return bool(loc) and (loc[-1] == "programs" or (len(loc) >= 2 and loc[-2] == "programs"))


def translate(error: Mapping[str, Any]) -> str:
    """One pydantic error as a Chinese sentence."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    message = str(error.get("msg", ""))
    if ctx.get(_TRANSLATED):
        return message
    if kind in ("value_error", "assertion_error"):
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message if _CJK.search(message) else "输入无效,请核对"
    loc = tuple(error.get("loc", ()))
    if kind in ("enum", "literal_error"):
        if _about_programs(loc):
            return f"未知的救助项目,可选:{_choices(ctx)}"
        return f"取值无效,可选:{_choices(ctx)}"
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return "不能为负数"
    if kind == "too_short" and loc and loc[-1] == "members":
        return f"至少需要{ctx.get('min_length', 1)}项(家庭成员至少填写1人)"
    template = _TEMPLATES.get(kind)
    if template is None:
        return "输入无效,请核对"
    shown = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


def chinese_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The 422 ``detail``: location, Chinese message and pydantic's error type."""
    return [
        {"loc": list(error.get("loc", ())), "msg": translate(error), "type": error.get("type")}
        for error in errors
    ]


def translated_details(exc: ValidationError) -> list[InitErrorDetails]:
    """A ValidationError's line errors with Chinese messages (same type, location and input)."""
    details: list[InitErrorDetails] = []
    for error in exc.errors():
        message = translate(dict(error)).replace("{", "(").replace("}", ")")
        details.append(
            {
                "type": PydanticCustomError(error["type"], message, {_TRANSLATED: True}),
                "loc": tuple(error["loc"]),
                "input": error.get("input"),
            }
        )
    return details


class ChineseMessages(BaseModel):
    """Base model: every validation message of the model (and the models in it) is Chinese."""

    @model_validator(mode="wrap")
    @classmethod
    def _chinese_messages(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise ValidationError.from_exception_data(exc.title, translated_details(exc)) from None


def field_errors(
    pairs: Sequence[tuple[Sequence[str | int], str]], *, where: str = "body"
) -> RequestValidationError:
    """Build a 422 from (location, Chinese message) pairs found by a service check.

    ``where`` is the part of the request: "body", "query" or "path".
    """
    return RequestValidationError(
        [{"loc": (where, *loc), "msg": msg, "type": "value_error"} for loc, msg in pairs]
    )


# The validation day -----------------------------------------------------------------------------
_DAY: ContextVar[dt.date | None] = ContextVar("huimin_validation_day", default=None)


def validation_context(today: dt.date) -> dict[str, dt.date]:
    """``Model.model_validate(data, context=validation_context(today))`` outside a request."""
    return {"today": today}


def today_of(info: ValidationInfo) -> dt.date:
    """The day a validator judges "in the future" against (the context's, else the request's)."""
    context = info.context
    if isinstance(context, Mapping) and isinstance(context.get("today"), dt.date):
        today: dt.date = context["today"]
        return today
    day = _DAY.get()
    if day is None:
        raise RuntimeError(
            "this validation needs today's date: pass context=validation_context(today) "
            "(requests get the app clock's day from workflows.validation.install)"
        )
    return day


class _ValidationDay:
    """ASGI middleware: the app clock's local today is the validation day of each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _DAY.set(local_today(scope["app"].state.clock))
        try:
            await self.app(scope, receive, send)
        finally:
            _DAY.reset(token)


async def _handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=422, content=jsonable_encoder({"detail": chinese_errors(exc.errors())})
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _handler)
    app.add_middleware(_ValidationDay)
