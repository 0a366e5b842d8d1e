"""Outbox message states."""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


MAX_ATTEMPTS = 5  # a message is dead after this many failed or expired deliveries
BACKOFF_BASE_SECONDS = 30  # retry after 30 s, 60 s, 120 s, ... (doubling)
BACKOFF_MAX_SECONDS = 3600
