"""A database session for a command-line run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from huimin.settings import Settings
from workflows.db import make_engine, make_session_factory
from workflows.models_registry import import_all_models


@contextmanager
def cli_session(settings: Settings) -> Iterator[Session]:
    import_all_models()
    engine = make_engine(settings)
    session = make_session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()
