"""Jinja2 templates of the pages, and their static files (served by a route, no mount)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from huimin import idcard
from workflows.auth.actor import Caller
from workflows.auth.capabilities import Capability, can
from workflows.clock import LOCAL_TZ

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


KIND_LABELS = {
    # incomes
    "wage": "工资",
    "business": "经营收入",
    "property": "财产性收入",
    "transfer": "转移性收入",
    "pension_basic": "基础养老金",
    "pension": "养老金",
    "pension_allowance_exempt": "养老补贴(不计入)",
    "relief": "救助金",
    "fuxu": "抚恤金",
    # property
    "deposit": "存款",
    "house": "房产",
    "vehicle": "车辆",
    "other": "其他",
    # expenditures
    "medical": "医疗",
    "education": "教育",
    "disability": "残疾康复",
    "basic_living": "基本生活",
}

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["local"] = _local
templates.env.filters["day"] = _day
templates.env.filters["mask"] = idcard.mask
templates.env.filters["kind_label"] = lambda kind: KIND_LABELS.get(str(kind), str(kind))


def _may(staff: Any, capability: str) -> bool:
    """In templates: ``may(staff, "case_data")`` (workflows/auth/capabilities.py)."""
    return staff is not None and can(Caller(staff=staff), Capability(capability))


templates.env.globals["may"] = _may


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def elder_context(settings: Any) -> dict[str, str]:
    """The 长辈版's phone line: the configured hotline, marked when it is the sample number."""
    number = str(settings.elder_hotline)
    tag = "(示例号码,不能拨打)" if settings.elder_hotline_is_sample else ""
    return {"elder_phone": f"咨询电话 {number}{tag}"}


ERROR_TITLES = {403: "无权访问", 404: "未找到", 409: "无法完成操作"}


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """A Chinese error page for page routes (the JSON APIs keep their JSON errors)."""
    context = {
        "staff": getattr(request.state, "staff", None),
        "title": ERROR_TITLES.get(status_code, "出错了"),
        "message": message,
    }
    return render(request, "error.html", context, status_code=status_code)
