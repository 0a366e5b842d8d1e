"""The in-memory search index, built from what Chroma stores (so BM25 and vectors agree)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.bm25 import BM25Index
from knowledge.ingest import index_text
from knowledge.models import AUDIENCES, REGION_LEVELS
from knowledge.store import get_all
from knowledge.textnorm import Normaliser
from knowledge.tokenizer import Tokenizer


@dataclass(frozen=True)
class IndexedChunk:
    id: str
    text: str
    meta: dict[str, Any]
    tokens: frozenset[str]
    bigrams: frozenset[str] = frozenset()


class KnowledgeIndex:
    """Chunks, their unit vectors, two BM25 fields (jieba words, character bigrams) and
    boolean masks for the filters."""

    def __init__(
        self,
        chunks: list[IndexedChunk],
        token_lists: list[list[str]],
        embeddings: np.ndarray,
        bigram_lists: list[list[str]] | None = None,
    ) -> None:
        self.chunks = chunks
        self.embeddings = embeddings.astype(np.float32, copy=False)
        self.bm25 = BM25Index(token_lists)
        self.bigram_bm25 = BM25Index(bigram_lists or [[] for _ in chunks])
        n = len(chunks)
        self.active = np.array(
            [not c.meta.get("superseded_by") for c in chunks], dtype=bool
        ).reshape(n)
        self.audience = {
            a: np.array(
                [a in str(c.meta.get("audience", "")).split(",") for c in chunks], dtype=bool
            )
            for a in AUDIENCES
        }
        level = {r: i for i, r in enumerate(REGION_LEVELS)}
        self.region_level = np.array(
            [level.get(str(c.meta.get("region")), len(REGION_LEVELS)) for c in chunks],
            dtype=np.int16,
        )

    def __len__(self) -> int:
        return len(self.chunks)

    def mask(self, audience: str | None, region: str | None) -> np.ndarray:
        """Chunks a question may see: not superseded, for this audience, at or above the region."""
        allowed = self.active.copy()
        if audience:
            allowed &= self.audience.get(audience, np.zeros(len(self), dtype=bool))
        if region:
            limit = REGION_LEVELS.index(region) if region in REGION_LEVELS else -1
            allowed &= self.region_level <= limit
        return allowed

    @classmethod
    def from_records(
        cls,
        ids: list[str],
        documents: list[str],
        metadatas: list[dict[str, Any]],
        embeddings: Any,
        *,
        normaliser: Normaliser,
        tokenizer: Tokenizer,
    ) -> KnowledgeIndex:
        chunks, token_lists, bigram_lists = [], [], []
        for chunk_id, text, meta in zip(ids, documents, metadatas, strict=True):
            normalised = normaliser.passage(index_text(meta, text))
            tokens = tokenizer.tokens(normalised)
            bigrams = tokenizer.bigrams(normalised)
            token_lists.append(tokens)
            bigram_lists.append(bigrams)
            chunks.append(
                IndexedChunk(chunk_id, text, dict(meta), frozenset(tokens), frozenset(bigrams))
            )
        matrix = (
            np.asarray(embeddings, dtype=np.float32) if len(ids) else np.zeros((0, 1), np.float32)
        )
        return cls(chunks, token_lists, matrix, bigram_lists)

    @classmethod
    def from_collection(
        cls, collection: Any, *, normaliser: Normaliser, tokenizer: Tokenizer
    ) -> KnowledgeIndex:
        records = get_all(collection, ["documents", "metadatas", "embeddings"])
        return cls.from_records(
            records["ids"],
            records["documents"],
            records["metadatas"],
            records["embeddings"],
            normaliser=normaliser,
            tokenizer=tokenizer,
        )
