"""The API's background check for hand-offs no one claimed in time (tell the resident once).

Several API processes may each run it: ``sweep_unclaimed`` skips rows another one holds and
marks each hand-off as told, so a resident is told once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from workflows.handoffs import flows

log = logging.getLogger(__name__)


class UnclaimedSweeper:
    def __init__(self, app: FastAPI, interval_seconds: float) -> None:
        self._app = app
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    def sweep_once(self) -> int:
        state = self._app.state
        with state.session_factory() as session:
            late = flows.sweep_unclaimed(session, now=state.clock.now(), settings=state.settings)
            session.commit()
            for handoff in late:
                flows.wake(state.live_hub, handoff)
            return len(late)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await run_in_threadpool(self.sweep_once)
            except Exception:
                log.exception("hand-off timeout check failed")

    def start(self) -> None:
        if self._interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="handoff-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def install(app: FastAPI, interval_seconds: float) -> None:
    sweeper = UnclaimedSweeper(app, interval_seconds)
    app.state.handoff_sweeper = sweeper
    app.router.on_startup.append(sweeper.start)
    app.router.on_shutdown.append(sweeper.stop)
