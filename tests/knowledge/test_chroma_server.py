"""Ingestion and answers against a real Chroma server (``settings.chroma_server_url``)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from knowledge.service import KnowledgeService
from knowledge.tuning import load_params
from tests.knowledge.conftest import DOCS_DIR, FakeEmbedder, make_settings

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    if not CHROMA.exists():
        pytest.skip("chroma command not installed")
    port = _free_port()
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("Chroma server did not start")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_ingest_and_ask_through_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, chroma_server_url=chroma_server, knowledge_docs_dir=DOCS_DIR)
    # plumbing: the fake embedder's vectors mean nothing, so the tuned dense side is switched off
    params = replace(load_params(settings.embedding_model), dense_weight=0.0, dense_share=0.0)
    service = KnowledgeService(settings, embedder=FakeEmbedder(), params=params)
    first = service.ingest()
    assert not first.failed
    assert first.chunks_total >= 80
    again = service.ingest()
    assert again.chunks_embedded == 0
    assert service.status()["store"] == chroma_server
    assert not (tmp_path / "chroma").exists()  # nothing embedded locally
    answer = service.ask("低保要公示几天")
    assert answer.confident
    assert "7天" in answer.answer
