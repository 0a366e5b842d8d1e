"""The API service: FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

import knowledge.http
from huimin import log_privacy
from huimin.http_client import close_shared_client
from huimin.secrets import refuse_demo_secrets
from huimin.settings import Settings, get_settings
from workflows import errors, health, security_headers, validation
from workflows.analytics import views as analytics_views
from workflows.applications import views as application_views
from workflows.auth import views as auth_views
from workflows.cases import views as case_views
from workflows.clock import Clock, SystemClock
from workflows.db import make_engine, make_session_factory
from workflows.discovery import views as discovery_views
from workflows.documents import views as document_views
from workflows.eldercare import views as eldercare_views
from workflows.eligibility import views as eligibility_views
from workflows.followups import views as followup_views
from workflows.handoffs import sweeper as handoff_sweeper
from workflows.handoffs import views as handoff_views
from workflows.handoffs.live import LiveHub
from workflows.household import views as household_views
from workflows.identity import views as identity_views
from workflows.leads import views as lead_views
from workflows.models_registry import import_all_models
from workflows.outbox import views as outbox_views
from workflows.reference import views as reference_views
from workflows.residents import views as resident_views
from workflows.reviews import views as review_views
from workflows.staff_pages import views as staff_page_views
from workflows.timebank import views as timebank_views
from workflows.visits import views as visit_views


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    import_all_models()
    app = FastAPI(
        title="惠民联办 API",
        description="社会救助“一件事”联办与养老服务:申请、审核、资格预审、政策问答",
        version="0.1.0",
    )
    engine = make_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.clock = clock or SystemClock()
    app.state.live_hub = LiveHub()  # wakes live hand-off views (workflows/handoffs/live.py)
    validation.install(app)
    errors.install(app)
    log_privacy.install()
    security_headers.install(app)
    app.router.on_shutdown.append(close_shared_client)  # the pooled client of the Rasa calls
    handoff_sweeper.install(app, settings.handoff_sweep_seconds)

    app.include_router(health.router)
    app.include_router(eligibility_views.router)
    for router in (
        auth_views.router,
        application_views.router,
        case_views.router,
        resident_views.router,
        document_views.router,
        handoff_views.router,
        household_views.router,
        lead_views.router,
        outbox_views.router,
        reference_views.router,
        identity_views.router,
        eldercare_views.router,
        staff_page_views.router,
        visit_views.router,
        review_views.router,
        timebank_views.router,
        discovery_views.router,
        followup_views.router,
        analytics_views.router,
    ):
        app.include_router(router)
    knowledge.http.install(app, settings)
    if settings.is_production:  # also when served by another launcher than `workflows serve`
        app.router.on_startup.append(lambda: refuse_demo_secrets(settings, process="API"))
    return app
