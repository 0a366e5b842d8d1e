"""Per-user ordered delivery with backoff when Rasa or the API is down.

A job is an async callable doing one piece of work for one user (forward a message, attach a
file). If it raises :class:`ServiceUnavailableError` the user is told once, the job is kept, and it
is retried after each delay of the policy. Later jobs of the same user queue behind it so the
order of messages is kept. When the delays are used up the user is asked to resend.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from huimin.http_client import ServiceUnavailableError

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
Notify = Callable[[int, str], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    delays: tuple[float, ...] = (3.0, 10.0, 30.0, 60.0)  # seconds before each retry


@dataclass
class _Backlog:
    chat_id: int
    jobs: deque[Job]


class OrderedRetrier:
    def __init__(
        self,
        policy: RetryPolicy,
        notify: Notify,
        *,
        busy_text: str,
        queued_text: str,
        give_up_text: str,
    ) -> None:
        self._policy = policy
        self._notify = notify
        self._busy_text = busy_text
        self._queued_text = queued_text
        self._give_up_text = give_up_text
        self._backlogs: dict[str, _Backlog] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Updates are handled concurrently; one user's jobs still run one at a time, in order.
        self._locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = {}

    def is_retrying(self, key: str) -> bool:
        return key in self._backlogs

    async def submit(self, key: str, chat_id: int, job: Job) -> None:
        """Run the job now, or keep it for retrying (and tell the user) if a service is down."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._lock_users[key] = self._lock_users.get(key, 0) + 1
        try:
            async with lock:
                await self._submit_locked(key, chat_id, job)
        finally:
            self._lock_users[key] -= 1
            if not self._lock_users[key]:
                del self._lock_users[key], self._locks[key]

    async def _submit_locked(self, key: str, chat_id: int, job: Job) -> None:
        backlog = self._backlogs.get(key)
        if backlog is not None:
            backlog.jobs.append(job)
            await self._notify(chat_id, self._queued_text)
            return
        try:
            await job()
        except ServiceUnavailableError as exc:
            log.warning("service unavailable for %s, will retry: %s", key, exc)
            self._backlogs[key] = _Backlog(chat_id, deque([job]))
            await self._notify(chat_id, self._busy_text)
            task = asyncio.create_task(self._drain(key), name=f"retry:{key}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: str) -> None:
        backlog = self._backlogs[key]
        try:
            for delay in self._policy.delays:
                await asyncio.sleep(delay)
                try:
                    await self._run_backlog(key, backlog)
                except ServiceUnavailableError as exc:
                    log.warning("retry for %s failed: %s", key, exc)
                    continue
                return
            log.warning("gave up on %d job(s) for %s", len(backlog.jobs), key)
            await self._notify(backlog.chat_id, self._give_up_text)
        except Exception:
            log.exception("retrying for %s stopped by an unexpected error", key)
        finally:
            self._backlogs.pop(key, None)

    @staticmethod
    async def _run_backlog(key: str, backlog: _Backlog) -> None:
        while backlog.jobs:
            try:
                await backlog.jobs[0]()
            except ServiceUnavailableError:
                raise
            except Exception:  # one broken job must not lose the ones behind it
                log.exception("a queued job for %s failed", key)
            backlog.jobs.popleft()

    async def wait_idle(self) -> None:
        """Wait until every pending retry finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
