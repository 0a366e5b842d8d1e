"""Run by tests/huimin/test_tracker_store.py under Rasa's environment (.venv-rasa has no pytest).

``python tracker_store_probe.py <database url> <step>`` plays one step of a conversation through
``MaskingSQLTrackerStore`` (a new store object per call, like a restarted Rasa server) and prints
the restored tracker's slots and texts as JSON.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from rasa_addons.tracker_store import MaskingSQLTrackerStore

SENDER = "telegram:42"
ID_NUMBER = "330183197803120116"
PHONE = "13800138000"
DOMAIN = Domain.from_dict(
    {
        "slots": {
            name: {"type": "any", "mappings": [{"type": "custom"}]}
            for name in ("id_number", "phone", "members", "requested_slot", "identity_code")
        }
    }
)


def step_events(step: str) -> list:
    if step == "collect":
        return [
            ActionExecuted("action_listen"),
            UserUttered(
                f"我的身份证号是{ID_NUMBER},电话{PHONE}",
                intent={"name": "inform", "confidence": 1.0},
                entities=[{"entity": "id_number", "value": ID_NUMBER, "start": 7, "end": 25}],
            ),
            SlotSet("id_number", ID_NUMBER),
            SlotSet("phone", PHONE),
            SlotSet("members", [{"name": "张三", "id_number": ID_NUMBER}]),
            BotUttered(f"您的身份证号是{ID_NUMBER},对吗?"),
            SlotSet("requested_slot", "identity_code"),
            ActionExecuted("action_listen"),
        ]
    if step == "otp":
        return [
            UserUttered("358201", intent={"name": "inform", "confidence": 1.0}),
            SlotSet("identity_code", "358201"),
            SlotSet("requested_slot", None),
            ActionExecuted("action_listen"),
        ]
    if step == "reset":  # what actions.common.privacy_reset returns after submit or cancel
        return [
            UserUttered("确认提交", intent={"name": "affirm", "confidence": 1.0}),
            SlotSet("id_number", None),
            SlotSet("phone", None),
            SlotSet("members", None),
            SlotSet("identity_code", None),
            ActionExecuted("action_listen"),
        ]
    return []


async def survive_disconnect(url: str) -> None:
    """Save, have PostgreSQL end the store's pooled connection (as a restart does), save again
    with the same store object; print the texts restored by a new store."""
    store = MaskingSQLTrackerStore(domain=DOMAIN, host=url)
    tracker = await store.get_or_create_tracker(SENDER)
    tracker.update(UserUttered("断开之前", intent={"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    with store.engine.connect() as connection:  # the one pooled connection
        pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    other = sa.create_engine(store.engine.url)
    with other.connect() as connection:
        ended = connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        terminated = bool(ended.scalar())
    other.dispose()
    tracker.update(UserUttered("断开之后", intent={"name": "greet", "confidence": 1.0}))
    await store.save(tracker)  # without pool_pre_ping: OperationalError here
    restored = await MaskingSQLTrackerStore(domain=DOMAIN, host=url).retrieve(SENDER)
    assert restored is not None
    texts = [e.text for e in restored.events if isinstance(e, UserUttered)]
    print(json.dumps({"terminated": terminated, "texts": texts}, ensure_ascii=False))


async def wait_out_outage(url: str, version: str, cluster: str) -> None:
    """Save; stop the (test-only) cluster and start it again 3 s later in the background;
    save with the same store object meanwhile; print the texts restored afterwards."""
    store = MaskingSQLTrackerStore(domain=DOMAIN, host=url)
    tracker = await store.get_or_create_tracker(SENDER)
    tracker.update(UserUttered("停机之前", intent={"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster]
    subprocess.run([*ctl, "stop"], check=True, capture_output=True)
    later = subprocess.Popen(["sh", "-c", f"sleep 3; {' '.join([*ctl, 'start'])}"])
    started = time.monotonic()
    try:
        tracker = await store.get_or_create_tracker(SENDER)  # waits for the database
        tracker.update(UserUttered("停机期间", intent={"name": "greet", "confidence": 1.0}))
        await store.save(tracker)
    finally:
        later.wait()
    waited = time.monotonic() - started
    restored = await MaskingSQLTrackerStore(domain=DOMAIN, host=url).retrieve(SENDER)
    assert restored is not None
    texts = [e.text for e in restored.events if isinstance(e, UserUttered)]
    print(json.dumps({"waited": waited, "texts": texts}, ensure_ascii=False))


async def main(url: str, step: str) -> None:
    if step == "disconnect":
        await survive_disconnect(url)
        return
    if step.startswith("outage:"):
        _, version, cluster = step.split(":")
        await wait_out_outage(url, version, cluster)
        return
    store = MaskingSQLTrackerStore(domain=DOMAIN, host=url)
    tracker = await store.get_or_create_tracker(SENDER)
    for event in step_events(step):
        tracker.update(event)
    await store.save(tracker)
    restored = await MaskingSQLTrackerStore(domain=DOMAIN, host=url).retrieve(SENDER)
    assert restored is not None
    print(
        json.dumps(
            {
                "slots": restored.current_slot_values(),
                "texts": [e.text for e in restored.events if isinstance(e, UserUttered)],
                "events": len(restored.events),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
