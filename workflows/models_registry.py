"""Imports every module that declares tables, so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib

MODEL_MODULES: tuple[str, ...] = ()


def import_all_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)
