"""Knowledge-base fixtures.

- ``fake_embedder``: a tiny deterministic embedder that counts what it embeds (plumbing tests).
- ``real_embedder`` / ``real_service`` (session): the configured embedding model,
  loaded once, and the project's documents ingested once into a temporary Chroma folder
  (quality tests).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from huimin.settings import PROJECT_ROOT, Settings
from knowledge.embedding import Embedder, load_embedder
from knowledge.service import KnowledgeService

DOCS_DIR = PROJECT_ROOT / "knowledge" / "docs"


class FakeEmbedder:
    """Bag of hashed characters, unit length; records every text it embeds."""

    name = "fake"

    def __init__(self, dim: int = 32) -> None:
        self.dim = dim
        self.embedded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, int(hashlib.md5(ch.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = float(np.linalg.norm(out[row])) or 1.0
            out[row] /= norm
        return out


def make_settings(root: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "var_dir": root / "var",
        "chroma_path": root / "chroma",
        "chroma_server_url": None,
        "knowledge_docs_dir": root / "docs",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_service(tmp_path: Path, fake_embedder: FakeEmbedder) -> KnowledgeService:
    (tmp_path / "docs").mkdir()
    return KnowledgeService(make_settings(tmp_path), embedder=fake_embedder)


@pytest.fixture
def write_doc(tmp_path: Path) -> Callable[..., Path]:
    def _write(name: str, body: str, **front: Any) -> Path:
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"region": "fuyang", "audience": "[resident, adviser, staff]", **front}
        head = "".join(f"{k}: {v}\n" for k, v in meta.items())
        path.write_text(f"---\n{head}---\n\n{body}", encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    return load_embedder(Settings().embedding_model)


@pytest.fixture(scope="session")
def real_service(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder
) -> KnowledgeService:
    root = tmp_path_factory.mktemp("knowledge-real")
    service = KnowledgeService(
        make_settings(root, knowledge_docs_dir=DOCS_DIR), embedder=real_embedder
    )
    report = service.ingest()
    assert not report.failed
    return service
