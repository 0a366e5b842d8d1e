"""Fault: a Rasa server is killed in the middle of an application form. The resident's next
message must be answered by the other Rasa server (through the balancer) with the form's next
question, and the slots filled so far must still be there (the tracker lives in PostgreSQL).

Short form (``--short``, run by the failover test in ``make test``): one kill, one answer.
Full form (by hand): a kill of each Rasa server at two points of the form (the killed one is
restarted by the supervisor in between), then the form to its end and the application number.

    .venv/bin/python scripts/faults/rasa_killed_mid_form.py --short
    .venv/bin/python scripts/faults/rasa_killed_mid_form.py            # full
    .venv/bin/python scripts/faults/rasa_killed_mid_form.py --base-port 5130 --prefix p_fault

Starts its own production profile (scripts/faults/production_system.py) on ``--base-port``
and the following 30 ports, prints a JSON report and exits 0 when the fault was survived.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults.production_system import ProductionSystem, latest_sms_code, new_prefix

# 王某甲 in the fictitious local registry (富春街道, 3 people)
ID_NUMBER = "330183197803120116"
# the answers after the identity check, in the order the 低保 form asks
ANSWERS = ("13805711234", "一样的", "对的", "老公打工,一个月两千五", "没有存款,也没车")
FINISH = ("不用了", "以后再交", "对,没错")


class FaultError(AssertionError):
    pass


class Resident:
    def __init__(self, system: ProductionSystem, sender: str) -> None:
        self.system = system
        self.sender = sender
        self.client = httpx.Client(timeout=120)
        # where the tracker is read: the balancer, or one server directly (any server reads
        # the shared tracker store; reading past the balancer leaves its rotation to messages)
        self.reader = system.rasa_url

    def say(self, text: str) -> tuple[str, float]:
        started = time.perf_counter()
        answer = self.client.post(
            f"{self.system.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
        )
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        replies = answer.json()
        if not replies:
            raise FaultError(f"no reply to {text!r}")
        return "\n".join(str(r.get("text", "")) for r in replies), elapsed

    def tracker(self) -> dict[str, Any]:
        answer = self.client.get(
            f"{self.reader}/conversations/{self.sender}/tracker",
            params={"token": self.system.rasa_token},
        )
        answer.raise_for_status()
        tracker: dict[str, Any] = answer.json()
        return tracker


def filled(slots: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in slots.items() if v not in (None, [], "", False)}


def _answer_moves_the_form_on(
    resident: Resident, victim: str, text: str
) -> tuple[str, str, str, float, int]:
    """Say ``text``; the form must ask its next question with every filled slot kept."""
    before = resident.tracker()
    asked = before["slots"].get("requested_slot")
    if not asked:
        loop = before.get("active_loop")
        raise FaultError(f"not inside a form (active loop: {loop})")
    kept = filled(before["slots"])
    reply, elapsed = resident.say(text)
    after = resident.tracker()
    lost = sorted(k for k in kept if k != "requested_slot" and not filled(after["slots"]).get(k))
    now_asked = after["slots"].get("requested_slot")
    if lost:
        raise FaultError(f"slots lost after killing {victim}: {lost}")
    if now_asked == asked:
        raise FaultError(f"the form asks {asked} again after killing {victim}: {reply!r}")
    return asked, now_asked, reply, elapsed, len(kept)


def kill_and_answer(
    system: ProductionSystem, resident: Resident, victim: str, texts: list[str]
) -> dict[str, Any]:
    """Kill ``victim`` (SIGKILL, by the pid the supervisor wrote), then say each of ``texts``
    (two: the balancer alternates, so one of them is sent to the dead server first) and check
    that each moves the form on from where it was."""
    pid = system.pid(victim)
    servers = {
        row["name"]: row["detail"].split()[0]
        for row in system.health()["dependencies"]
        if row["kind"] == "rasa"
    }
    port = servers[victim].rsplit(":", 1)[1]
    # only the messages pass the balancer now: two in a row, so one of them is sent to the
    # dead server first (round robin) and must be answered by the other
    resident.reader = "http://" + next(a for name, a in servers.items() if name != victim)
    log_lines_before = len(system.log_tail(10**9).splitlines())
    os.kill(pid, signal.SIGKILL)
    killed_at = time.perf_counter()
    answers = []
    for text in texts:
        asked, now_asked, reply, elapsed, kept = _answer_moves_the_form_on(resident, victim, text)
        answers.append(
            {
                "asked_before": asked,
                "asked_after": now_asked,
                "slots_kept": kept,
                "answer_seconds": round(elapsed, 3),
                "reply_excerpt": reply[:40],
            }
        )
    since_kill = time.perf_counter() - killed_at
    resident.reader = system.rasa_url
    after_kill = system.log_tail(10**9).splitlines()[log_lines_before:]
    skipped = [
        line
        for line in after_kill
        if " nginx " in line and f"127.0.0.1:{port}" in line and "failed" in line
    ]
    return {
        "killed": victim,
        "pid": pid,
        "answers": answers,
        "seconds_since_kill": round(since_kill, 3),
        # the balancer's own record that it found the dead server and went to the other one
        "balancer_skipped_the_dead_server": bool(skipped),
    }


def run(system: ProductionSystem, *, short: bool) -> dict[str, Any]:
    report: dict[str, Any] = {"mode": "short" if short else "full", "events": []}
    started = time.perf_counter()
    health = system.start()
    report["startup_seconds"] = round(time.perf_counter() - started, 1)
    report["health"] = {
        row["name"]: f"{row['kind']} {row['state']} {row['detail']}"
        for row in health["dependencies"]
    }
    resident = Resident(system, f"telegram:fault-{uuid.uuid4().hex[:10]}")
    resident.say("我要申请低保")
    resident.say("同意")
    asked, _ = resident.say(ID_NUMBER)
    if "核验" not in asked:
        raise FaultError(f"no identity check asked: {asked!r}")
    resident.say("发送验证码")
    checked, _ = resident.say(latest_sms_code(system.var_dir))
    if "核验成功" not in checked:
        raise FaultError(f"identity check failed: {checked!r}")
    answers = list(ANSWERS)
    report["events"].append(
        kill_and_answer(system, resident, "rasa1", [answers.pop(0), answers.pop(0)])
    )
    if short:
        report["survived"] = True
        return report
    # the killed server is back (restarted by the supervisor); now kill the other one
    system.wait_ready(within=600)
    report["events"].append(
        kill_and_answer(system, resident, "rasa2", [answers.pop(0), answers.pop(0)])
    )
    final = ""
    for text in answers:
        final, _ = resident.say(text)
    for text in FINISH:  # other programs proposed: no; documents: later; the summary: right
        if "申请编号" in final:
            break
        final, _ = resident.say(text)
    if "申请编号" not in final:
        raise FaultError(f"the application did not complete: {final!r}")
    report["application_completed"] = True
    report["survived"] = True
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="one kill, one answer (make test)")
    parser.add_argument("--base-port", type=int, default=5130)
    parser.add_argument("--prefix", default=None, help="database/queue name prefix")
    parser.add_argument("--var-dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="leave the databases (debugging)")
    args = parser.parse_args(argv)
    var_dir = args.var_dir or Path(tempfile.mkdtemp(prefix="huimin-fault-"))
    system = ProductionSystem(var_dir, args.base_port, args.prefix or new_prefix("huimin_fault"))
    try:
        report = run(system, short=args.short)
    except Exception as exc:
        print(
            json.dumps({"survived": False, "error": f"{type(exc).__name__}: {exc}"[:3000]}),
            flush=True,
        )
        print(system.log_tail(60), file=sys.stderr)
        return 1
    finally:
        system.stop(drop=not args.keep)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
