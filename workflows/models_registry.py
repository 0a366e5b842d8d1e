"""Imports every module that declares tables, so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib

MODEL_MODULES: tuple[str, ...] = (
    "workflows.audit.models",
    "workflows.auth.models",
    "workflows.numbering.models",
    "workflows.applications.models",
    "workflows.cases.models",
    "workflows.outbox.models",
    "workflows.documents.models",
    "workflows.handoffs.models",
    "workflows.leads.models",
    "workflows.identity.models",
    "workflows.eldercare.models",
    "workflows.visits.models",
    "workflows.reviews.models",
    "workflows.timebank.models",
    "workflows.discovery.models",
    "workflows.followups.models",
    "workflows.analytics.models",
)


def import_all_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)
