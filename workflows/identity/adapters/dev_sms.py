"""Development SMS sink: messages go to a file instead of a gateway, so a demo works offline.

Only outside production (``make_otp_sender`` never returns it there). The file is the demo's
phone: it holds the text as sent, one message per line.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from workflows.notifications.sms import mask_phone

log = logging.getLogger(__name__)
_lock = threading.Lock()


class DevSmsSink:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, phone: str, text: str) -> None:
        line = f"{dt.datetime.now(dt.UTC).isoformat()}\t{phone}\t{text}\n"
        with _lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as outbox:
                outbox.write(line)
        log.info("development sms to %s written to %s", mask_phone(phone), self.path)
