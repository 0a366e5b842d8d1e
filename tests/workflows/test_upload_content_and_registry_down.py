"""Uploads are judged by their bytes, not their name; a registry that is down answers 503."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huimin.settings import Settings
from workflows.documents.models import Document
from workflows.registry import make_registry

Submit = Callable[..., dict[str, Any]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"\x00" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def _documents(app: FastAPI) -> int:
    with app.state.engine.connect() as connection:
        return int(connection.execute(select(func.count(Document.id))).scalar_one())


@pytest.mark.parametrize(("content", "what"), [(PNG, "PNG"), (EXE, "exe")])
def test_pdf_name_with_other_content_is_refused(
    client: TestClient,
    app: FastAPI,
    internal: dict[str, str],
    submit: Submit,
    content: bytes,
    what: str,
) -> None:
    created = submit()
    path = f"/api/applications/{created['id']}/documents"
    refused = client.post(
        path,
        headers=internal,
        data={"kind": "病历"},
        files={"file": ("病历.pdf", content, "application/pdf")},
    )
    assert refused.status_code == 422, what
    detail = refused.json()["detail"][0]
    assert detail["loc"] == ["body", "file"]
    assert detail["msg"].startswith("文件内容与扩展名 .pdf 不符"), detail["msg"]
    assert _documents(app) == 0
    accepted = client.post(
        path,
        headers=internal,
        data={"kind": "病历"},
        files={"file": ("病历.pdf", PDF, "application/pdf")},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["size"] == len(PDF)
    assert _documents(app) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


def test_registry_unreachable_is_503_in_chinese(
    client: TestClient, app: FastAPI, login: Callable[[str], dict[str, str]]
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        registry_provider="http",
        registry_base_url=f"http://127.0.0.1:{_closed_port()}/api",
        registry_timeout_seconds=2.0,
    )
    app.state.registry = make_registry(settings)
    answer = client.get("/api/registry/households/330183197803120116", headers=login("rev_fuchun"))
    assert answer.status_code == 503
    message = answer.json()["detail"]
    assert message.startswith("暂时无法连接"), message
    assert "窗口" in message
