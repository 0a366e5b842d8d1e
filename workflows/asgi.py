"""The API as an application factory for uvicorn's worker processes (``workflows serve
--workers N``): each worker reads the settings from the environment, as the parent did."""

from __future__ import annotations

from fastapi import FastAPI

from huimin.settings import get_settings
from workflows.app import create_app


def app_from_settings() -> FastAPI:
    return create_app(get_settings())
