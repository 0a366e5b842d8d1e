"""Hybrid retrieval: two BM25 fields (jieba words, character bigrams) fused with dense
similarity by tuned weights.

The English MiniLM model is weak on Chinese, so plain reciprocal-rank fusion hurts; instead
each side is scaled to [0, 1] over the allowed chunks and mixed: the lexical side is
``(1 - bigram_weight) * words + bigram_weight * bigrams`` and the final score
``(1 - dense_weight) * lexical + dense_weight * dense``. The bigram field carries paraphrase
that word segmentation cuts differently. The weights and the confidence threshold live in
``knowledge/data/tuning.json``, chosen on the dev half by ``scripts/bench_knowledge.py --tune``
and ``python -m knowledge calibrate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from knowledge.embedding import Embedder, encode_queries
from knowledge.index import IndexedChunk, KnowledgeIndex
from knowledge.lexicon import SynonymLexicon, VocabularyBridge, default_lexicon
from knowledge.scope import NotCovered
from knowledge.textnorm import Normaliser
from knowledge.tokenizer import Tokenizer
from knowledge.typos import PinyinCorrector

Mode = Literal["hybrid", "bm25", "dense"]
# Words that say what kind of answer is wanted (an amount, a time, how to apply), not what
# about: like bare numbers, they never ground an answer on their own.
QUESTION_WORDS = frozenset({"钱", "多久", "申请", "多少", "金额"})


@dataclass(frozen=True)
class RetrievalParams:
    dense_weight: float = 0.2
    min_confidence: float = 0.5
    oov_weight: float = 0.6  # share of max idf charged for a question word the corpus lacks
    bigram_weight: float = 0.0  # share of the character-bigram field in the lexical score
    bigram_share: float = 0.0  # share of bigram coverage in the confidence
    typo_tolerance: bool = True  # same-pinyin one-character typos -> corpus words
    # share of the best passage's dense similarity in the confidence, the similarity scaled
    # from dense_floor (0) to dense_ceiling (1): a paraphrase the vocabulary misses still
    # lands near its passage in a multilingual model's space, an outside subject does not
    dense_share: float = 0.0
    dense_floor: float = 0.8
    dense_ceiling: float = 0.95
    # a question word the corpus lacks stands for the corpus words among its strict synonyms
    # in 同义词词林 (knowledge/lexicon.py), for ranking and for the confidence
    general_synonyms: bool = False
    # below min_confidence, passages covering the question at least this much are offered
    # to pick from ("您是不是想了解……"); chosen on the dev half (scripts/bench_knowledge.py)
    suggest_floor: float = 0.2


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
    query_bigrams: list[str] = field(default_factory=list)
    # corpus synonyms standing for question words the corpus lacks (general_synonyms)
    bridged_tokens: list[str] = field(default_factory=list)
    outside: str | None = None  # the not-covered subject the question names (refused)


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
        not_covered: NotCovered | None = None,
        lexicon: SynonymLexicon | None = None,
    ) -> None:
        self.not_covered = not_covered or NotCovered()
        self._lexicon = lexicon
        self._bridge: VocabularyBridge | None = None
        self._positions: dict[str, int] | None = None  # chunk id -> row, built on first use
        self.index = index
        self.embedder = embedder  # called only when the dense side is needed (lazy model)
        self.normaliser = normaliser
        self.tokenizer = tokenizer
        self.params = params
        self._corrector: PinyinCorrector | None = None

    @property
    def corrector(self) -> PinyinCorrector:
        """Homophone typos -> corpus words, built from the word index on first use."""
        if self._corrector is None:
            self._corrector = PinyinCorrector(
                self.index.bm25.document_frequencies(), self.tokenizer.is_dictionary_word
            )
        return self._corrector

    @property
    def bridge(self) -> VocabularyBridge:
        """Unknown question words -> corpus synonyms, built on first use."""
        if self._bridge is None:
            lexicon = self._lexicon if self._lexicon is not None else default_lexicon()
            self._bridge = VocabularyBridge(lexicon, self.index.bm25.document_frequencies())
        return self._bridge

    def normalised_question(self, question: str) -> str:
        normalised = self.normaliser.question(question)
        return self.corrector.correct(normalised) if self.params.typo_tolerance else normalised

    def outside_scope(self, question: str) -> str | None:
        """The not-covered subject ``question`` names, in its own words or after synonyms
        (残疾证 stays 残疾证 although the synonym table reads 残疾 as 残疾人)."""
        return self.not_covered.match(self.normaliser.basic(question)) or self.not_covered.match(
            self.normaliser.question(question)
        )

    def query_tokens(self, question: str) -> list[str]:
        return self.tokenizer.tokens(self.normalised_question(question))

    def query_terms(self, question: str) -> tuple[list[str], list[str]]:
        """(jieba words, character bigrams) of the normalised, typo-corrected question."""
        normalised = self.normalised_question(question)
        return self.tokenizer.tokens(normalised), self.tokenizer.bigrams(normalised)

    def confidence(
        self,
        tokens: list[str],
        bigrams: list[str],
        chunk: IndexedChunk,
        *,
        params: RetrievalParams | None = None,
        dense: float | None = None,
    ) -> float:
        """How well ``chunk`` covers the question: word coverage mixed with bigram coverage,
        then with the dense similarity ``dense`` of question and chunk (when given)."""
        params = params or self.params
        words = self.coverage(tokens, chunk, params=params)
        if words == 0.0:
            return 0.0  # no question word in the passage: never grounded
        lexical = words
        if params.bigram_share > 0:
            pairs = self._bigram_coverage(bigrams, chunk, params)
            lexical = (1 - params.bigram_share) * words + params.bigram_share * pairs
        if params.dense_share <= 0 or dense is None:
            return lexical
        span = max(params.dense_ceiling - params.dense_floor, 1e-6)
        near = min(max((dense - params.dense_floor) / span, 0.0), 1.0)
        return (1 - params.dense_share) * lexical + params.dense_share * near

    def _bigram_coverage(
        self, bigrams: list[str], chunk: IndexedChunk, params: RetrievalParams
    ) -> float:
        index = self.index.bigram_bm25
        total = covered = 0.0
        for pair in set(bigrams):
            weight = index.idf[pair] if pair in index else params.oov_weight * index.max_idf
            total += weight
            if pair in chunk.bigrams:
                covered += weight
        return covered / total if total > 0 else 0.0

    def coverage(
        self, tokens: list[str], chunk: IndexedChunk, *, params: RetrievalParams | None = None
    ) -> float:
        """Idf-weighted share of the question's words found in ``chunk``.

        Words the corpus has never seen count against the answer (weighted ``oov_weight`` of
        the largest idf), except bare numbers, which are neutral.
        """
        params = params or self.params
        bm25 = self.index.bm25
        total = covered = covered_words = 0.0
        for token in set(tokens):
            alternatives: tuple[str, ...] = ()
            if token in bm25:
                weight = bm25.idf[token]
            elif token.isdigit():
                continue
            elif params.general_synonyms and (alternatives := self.bridge.alternatives(token)):
                weight = max(bm25.idf[w] for w in alternatives)
            else:
                weight = params.oov_weight * bm25.max_idf
            total += weight
            if token in chunk.tokens or any(w in chunk.tokens for w in alternatives):
                covered += weight
                if not token.isdigit() and token not in QUESTION_WORDS:
                    covered_words += weight
        if covered_words == 0:  # numbers and question words alone never ground an answer
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
        params: RetrievalParams | None = None,
    ) -> SearchResult:
        params = params or self.params
        tokens, bigrams = self.query_terms(question)
        allowed = self.index.mask(audience, region)
        if not tokens or not allowed.any():
            return SearchResult([], tokens, 0.0, bigrams)
        weight = params.dense_weight if dense_weight is None else dense_weight
        scoring = self._scoring_tokens(tokens, params)
        words = self.index.bm25.scores(scoring)
        lexical = words
        if params.bigram_weight > 0:
            pairs = self.index.bigram_bm25.scores(bigrams)
            lexical = (1 - params.bigram_weight) * _scale(
                words, allowed
            ) + params.bigram_weight * _scale(pairs, allowed)
        dense = np.zeros(len(self.index), dtype=np.float32)
        wants_dense = mode == "dense" or (
            mode == "hybrid" and (weight > 0 or params.dense_share > 0)
        )
        wants_dense = wants_dense and self.embedder is not None and len(self.index) > 0
        if wants_dense and self.embedder is not None:
            query = encode_queries(self.embedder(), [self.normaliser.question(question)])[0]
            dense = self.index.embeddings @ query
        if mode == "bm25":
            fused = lexical.copy()
        elif mode == "dense":
            fused = dense.copy()
        else:
            fused = (1 - weight) * _scale(lexical, allowed) + weight * _scale(dense, allowed)
        fused[~allowed] = -np.inf
        k = max(k, 1)
        if len(fused) > k:  # partial selection (ties at the cut kept), then a stable order
            kth = np.partition(-fused, k - 1)[k - 1]
            candidates = np.flatnonzero(-fused <= kth)
            top = candidates[np.lexsort((candidates, -fused[candidates]))][:k]
        else:
            top = np.argsort(-fused, kind="stable")
        hits = [
            Hit(self.index.chunks[i], float(fused[i]), float(lexical[i]), float(dense[i]))
            for i in top
            if np.isfinite(fused[i])
        ]
        confidence = (
            self.confidence(
                tokens,
                bigrams,
                hits[0].chunk,
                params=params,
                dense=hits[0].dense if wants_dense else None,
            )
            if hits and hits[0].bm25 > 0
            else 0.0
        )
        outside = self.outside_scope(question) if confidence else None
        if outside:
            confidence = 0.0  # a subject the documents do not cover: refuse
        bridged = [t for t in scoring if t not in tokens]
        return SearchResult(hits, tokens, confidence, bigrams, bridged, outside)

    def _scoring_tokens(self, tokens: list[str], params: RetrievalParams) -> list[str]:
        """The question's words with unknown ones replaced by their corpus synonyms (when on)."""
        return self.bridge.expand(tokens) if params.general_synonyms else tokens

    def passage_result(self, question: str, chunk: IndexedChunk) -> SearchResult:
        """``question`` read as ``search`` reads it, answered by ``chunk`` alone (a suggestion
        the resident picked): the answer's sentences are chosen with the same words."""
        tokens, bigrams = self.query_terms(question) if question else ([], [])
        bridged = [t for t in self._scoring_tokens(tokens, self.params) if t not in tokens]
        return SearchResult([Hit(chunk, 1.0, 1.0, 0.0)], tokens, 1.0, bigrams, bridged)

    def close_passages(self, result: SearchResult, floor: float) -> list[Hit]:
        """Hits worth offering when no answer is certain: each covers the question at least
        ``floor`` (the same confidence measure, per passage); none when the question names a
        subject the documents do not cover."""
        if result.outside:
            return []
        return [
            hit
            for hit in result.hits
            if hit.bm25 > 0
            and self.confidence(result.query_tokens, result.query_bigrams, hit.chunk) >= floor
        ]

    def passage(self, chunk_id: str, audience: str | None = "resident") -> IndexedChunk | None:
        """The chunk ``chunk_id`` if this audience may read it (a suggestion the resident
        picked); None when it is unknown (re-ingested since) or not for them."""
        if self._positions is None:
            self._positions = {chunk.id: i for i, chunk in enumerate(self.index.chunks)}
        i = self._positions.get(chunk_id)
        if i is None or not self.index.mask(audience, None)[i]:
            return None
        return self.index.chunks[i]
