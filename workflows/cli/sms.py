"""deliver-sms: send the outbox's SMS messages through the configured gateway."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time

from huimin.settings import Settings
from workflows.db import make_engine, make_session_factory
from workflows.models_registry import import_all_models
from workflows.notifications.sms import SmsSender, make_sms_sender
from workflows.notifications.worker import deliver_once

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def deliver_sms(
    settings: Settings,
    *,
    once: bool,
    interval_seconds: float = 10.0,
    sender: SmsSender | None = None,
) -> int:
    sender = sender or make_sms_sender(settings)
    if sender is None:
        print(
            "未配置短信网关:请设置 HUIMIN_SMS_GATEWAY_URL (SMS is off while it is unset)",
            file=sys.stderr,
        )
        return 2
    import_all_models()
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        while True:
            try:
                report = deliver_once(factory, sender, now=_now)
            except Exception as exc:  # the database away for a moment: keep the worker alive
                if once:
                    raise
                log.exception("deliver-sms batch failed: %s", type(exc).__name__)
                time.sleep(interval_seconds)
                continue
            if report.claimed:
                print(
                    f"短信:领取 {report.claimed} 条,"
                    f"发送成功 {report.sent} 条,失败 {report.failed} 条"
                )
            if once:
                return 0 if report.failed == 0 else 1
            time.sleep(interval_seconds)
    finally:
        engine.dispose()
