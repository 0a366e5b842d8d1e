"""Okapi BM25 over an inverted index (numpy), fast enough for 10,000+ chunks per query."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


class BM25Index:
    """BM25 with the Lucene idf ``log(1 + (N - n + 0.5) / (n + 0.5))`` (never negative)."""

    def __init__(
        self, corpus: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.k1 = k1
        self.b = b
        self.size = len(corpus)
        lengths = np.array([len(doc) for doc in corpus], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        self._norm = (k1 * (1 - b + b * lengths / max(avg, 1e-9))).astype(np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, doc in enumerate(corpus):
            for term, tf in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        self._postings = {
            term: (np.array(ids, dtype=np.int32), np.array(tfs, dtype=np.float32))
            for term, (ids, tfs) in postings.items()
        }
        self.idf = {
            term: math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            for term, (ids, _) in self._postings.items()
        }
        self.max_idf = math.log(1 + (self.size + 0.5) / 0.5) if self.size else 1.0

    def document_frequencies(self) -> dict[str, int]:
        """Each term of the vocabulary with the number of documents containing it."""
        return {term: len(ids) for term, (ids, _) in self._postings.items()}

    def __contains__(self, term: str) -> bool:
        return term in self._postings

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (repeated query terms count once)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(query):
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tfs = posting
            out[ids] += self.idf[term] * tfs * (self.k1 + 1) / (tfs + self._norm[ids])
        return out
