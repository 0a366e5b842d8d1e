"""Hybrid retrieval: BM25 over jieba tokens fused with dense similarity by tuned weights.

The English MiniLM model is weak on Chinese, so plain reciprocal-rank fusion hurts; instead
each side is scaled to [0, 1] over the allowed chunks and mixed as
``(1 - dense_weight) * bm25 + dense_weight * dense``. ``dense_weight`` and the confidence
threshold live in ``knowledge/data/tuning.json``, chosen by ``scripts/bench_knowledge.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.embedding import Embedder
from knowledge.index import IndexedChunk, KnowledgeIndex
from knowledge.textnorm import Normaliser
from knowledge.tokenizer import Tokenizer

Mode = Literal["hybrid", "bm25", "dense"]


@dataclass(frozen=True)
class RetrievalParams:
    dense_weight: float = 0.2
    min_confidence: float = 0.5
    oov_weight: float = 0.6  # share of max idf charged for a question word the corpus lacks


@dataclass(frozen=True)
class Hit:
    chunk: IndexedChunk
    score: float
    bm25: float
    dense: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    query_tokens: list[str]
    confidence: float


def _scale(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    out = np.zeros_like(values)
    if not allowed.any():
        return out
    sub = values[allowed]
    low, high = float(sub.min()), float(sub.max())
    if high - low > 1e-9:
        out[allowed] = (sub - low) / (high - low)
    elif high > 0:
        out[allowed] = 1.0
    return out


class HybridRetriever:
    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Callable[[], Embedder] | None,
        normaliser: Normaliser,
        tokenizer: Tokenizer,
        params: RetrievalParams,
    ) -> None:
        self.index = index
        self.embedder = embedder  # called only when the dense side is needed (lazy model)
        self.normaliser = normaliser
        self.tokenizer = tokenizer
        self.params = params

    def query_tokens(self, question: str) -> list[str]:
        return self.tokenizer.tokens(self.normaliser.question(question))

    def coverage(self, tokens: list[str], chunk: IndexedChunk) -> float:
        """Idf-weighted share of the question's words found in ``chunk``.

        Words the corpus has never seen count against the answer (weighted ``oov_weight`` of
        the largest idf), except bare numbers, which are neutral.
        """
        bm25 = self.index.bm25
        total = covered = covered_words = 0.0
        for token in set(tokens):
            if token in bm25:
                weight = bm25.idf[token]
            elif token.isdigit():
                continue
            else:
                weight = self.params.oov_weight * bm25.max_idf
            total += weight
            if token in chunk.tokens:
                covered += weight
                if not token.isdigit():
                    covered_words += weight
        if covered_words == 0:  # numbers alone never ground an answer
            return 0.0
        return covered / total if total > 0 else 0.0

    def search(
        self,
        question: str,
        *,
        audience: str | None = "resident",
        region: str | None = None,
        k: int = 5,
        mode: Mode = "hybrid",
        dense_weight: float | None = None,
    ) -> SearchResult:
        tokens = self.query_tokens(question)
        allowed = self.index.mask(audience, region)
        if not tokens or not allowed.any():
            return SearchResult([], tokens, 0.0)
        weight = self.params.dense_weight if dense_weight is None else dense_weight
        lexical = self.index.bm25.scores(tokens)
        dense = np.zeros(len(self.index), dtype=np.float32)
        wants_dense = mode == "dense" or (mode == "hybrid" and weight > 0)
        if wants_dense and self.embedder is not None and len(self.index):
            query = self.embedder().encode([self.normaliser.question(question)])[0]
            dense = self.index.embeddings @ query
        if mode == "bm25":
            fused = lexical.copy()
        elif mode == "dense":
            fused = dense.copy()
        else:
            fused = (1 - weight) * _scale(lexical, allowed) + weight * _scale(dense, allowed)
        fused[~allowed] = -np.inf
        top = np.argsort(-fused, kind="stable")[: max(k, 1)]
        hits = [
            Hit(self.index.chunks[i], float(fused[i]), float(lexical[i]), float(dense[i]))
            for i in top
            if np.isfinite(fused[i])
        ]
        confidence = self.coverage(tokens, hits[0].chunk) if hits and hits[0].bm25 > 0 else 0.0
        return SearchResult(hits, tokens, confidence)
