"""A database that cannot be reached is answered with 503 + Retry-After (callers retry), not 500."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from huimin.settings import Settings
from workflows.app import create_app
from workflows.errors import DATABASE_UNAVAILABLE

# Nothing listens on port 1 of the loopback: every connection is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"


def test_unreachable_database_answers_503_with_retry_after(tmp_path: Path) -> None:
    settings = Settings(
        environment="test",
        database_url=UNREACHABLE,
        var_dir=tmp_path / "var",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    token = settings.internal_token.get_secret_value()
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post(
            "/api/outbox/claim",
            json={"channel": "telegram", "limit": 1, "lease_seconds": 60},
            headers={"X-Internal-Token": token},
        )
    app.state.engine.dispose()
    assert answer.status_code == 503
    assert answer.json() == {"detail": DATABASE_UNAVAILABLE}
    assert answer.headers["Retry-After"] == "5"
