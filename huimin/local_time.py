"""The district's one time zone (dates residents and staff read, "today", numbering days)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
