"""The API service: FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

import knowledge.http
from huimin.settings import Settings, get_settings
from workflows import health
from workflows.db import make_engine, make_session_factory
from workflows.eligibility import views as eligibility_views


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="惠民联办 API",
        description="社会救助“一件事”联办与养老服务:申请、审核、资格预审、政策问答",
        version="0.1.0",
    )
    engine = make_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)

    app.include_router(health.router)
    app.include_router(eligibility_views.router)
    knowledge.http.install(app, settings)
    return app
