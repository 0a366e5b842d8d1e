"""verify-audit: walk the hash chain; exit 0 when intact, 1 naming the first broken link."""

from __future__ import annotations

import sys

from huimin.settings import Settings
from workflows.audit.verify import verify_chain
from workflows.cli.common import cli_session


def verify_audit(settings: Settings) -> int:
    with cli_session(settings) as session:
        report = verify_chain(session)
    if report.ok:
        print(f"审计链完整:共 {report.checked} 条记录")
        return 0
    print(
        f"审计链断开:第 {report.broken_seq} 条记录({report.problem});此前 {report.checked} 条完好",
        file=sys.stderr,
    )
    return 1
