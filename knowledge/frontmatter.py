"""YAML front matter of knowledge documents: parsed and normalised to flat metadata."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from knowledge.models import AUDIENCES, REGION_LEVELS

REGION_ALIASES = {
    "全国": "national",
    "国家": "national",
    "浙江": "zhejiang",
    "浙江省": "zhejiang",
    "杭州": "hangzhou",
    "杭州市": "hangzhou",
    "富阳": "fuyang",
    "富阳区": "fuyang",
}


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, body). No front matter: ({}, text)."""
    stripped = text.lstrip("\ufeff")
    if not stripped.startswith("---"):
        return {}, text
    parts = stripped.split("\n---", 1)
    if len(parts) != 2:
        return {}, text
    head = parts[0][3:]
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    data = yaml.safe_load(head) or {}
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    return data, body


def _text(value: Any, default: str) -> str:
    if value is None or value == "":
        return default
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normalise_metadata(
    raw: dict[str, Any], *, fallback_id: str, fallback_title: str
) -> dict[str, str]:
    """Flat string metadata, as Chroma stores it (lists become comma-separated)."""
    region = _text(raw.get("region"), "fuyang").strip().lower()
    region = REGION_ALIASES.get(region, region)
    if region not in REGION_LEVELS:
        raise ValueError(f"unknown region {region!r}")
    audience_raw = raw.get("audience") or list(AUDIENCES)
    if isinstance(audience_raw, str):
        audience_raw = [a.strip() for a in audience_raw.split(",")]
    audience = [a for a in (str(x).strip() for x in audience_raw) if a in AUDIENCES]
    if not audience:
        raise ValueError("audience names none of resident, adviser, staff")
    return {
        "doc_id": _text(raw.get("id"), fallback_id),
        "title": _text(raw.get("title"), fallback_title),
        "issuer": _text(raw.get("issuer"), "（未载明）"),
        "doc_number": _text(raw.get("doc_number"), "（未载明）"),
        "effective_date": _text(raw.get("effective_date"), "（未载明）"),
        # what effective_date is when it is not a 施行日期 (整理, 印发, 数据截至, 修订 …)
        "date_label": _text(raw.get("date_label"), ""),
        "region": region,
        "audience": ",".join(audience),
        "superseded_by": _text(raw.get("superseded_by"), ""),
    }
