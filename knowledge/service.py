"""KnowledgeService: ingestion, hybrid retrieval and cited answers, built from Settings.

Everything heavy (jieba dictionary, embedding model, Chroma index) loads on first use, under a
lock, so constructing the service and asking for its status are cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from huimin.settings import Settings
from huimin.topology import redact_url
from knowledge.answer import EMPTY_REPLY, UNREADABLE_REPLY, compose
from knowledge.embedding import Embedder, load_embedder
from knowledge.generator import GroundedGenerator, load_local_generator
from knowledge.index import KnowledgeIndex
from knowledge.ingest import IngestReport, ingest
from knowledge.models import AUDIENCES, Answer
from knowledge.retrieval import HybridRetriever, Mode, RetrievalParams, SearchResult
from knowledge.scope import NotCovered
from knowledge.store import collection_name, make_client, open_collection
from knowledge.textnorm import (
    Normaliser,
    SynonymTable,
    clean_markup,
    has_meaningful_text,
    load_thesaurus,
)
from knowledge.tokenizer import Tokenizer
from knowledge.tuning import DATA_DIR, load_params

MAX_QUESTION_CHARS = 200  # longer questions are cut, not refused
ECHO_CHARS = 500


class UnknownPassageError(LookupError):
    """A picked suggestion's passage is gone (documents re-ingested) or not for this reader."""


def prepare_question(question: str) -> str:
    """Bounded, markup-free question text (may be empty)."""
    return clean_markup((question or "")[: MAX_QUESTION_CHARS * 20])[:MAX_QUESTION_CHARS]


class KnowledgeService:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        embedder_factory: Callable[[], Embedder] | None = None,
        params: RetrievalParams | None = None,
        collection_prefix: str = "huimin_knowledge",
        data_dir: Path = DATA_DIR,
        generator: GroundedGenerator | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._embedder_factory = embedder_factory or (
            lambda: load_embedder(settings.embedding_model)
        )
        self.params = params or load_params(settings.embedding_model)
        self.collection_name = collection_name(settings.embedding_model, collection_prefix)
        self.data_dir = data_dir
        self._lock = threading.RLock()
        self._collection: Any = None
        self._retriever: HybridRetriever | None = None
        self._normaliser: Normaliser | None = None
        self._tokenizer: Tokenizer | None = None
        self.last_error: str | None = None
        self._generator = generator

    # Lazy parts ---------------------------------------------------------------------------
    @property
    def collection(self) -> Any:
        with self._lock:
            if self._collection is None:
                client = make_client(self.settings)
                self._collection = open_collection(
                    client, self.collection_name, self.settings.embedding_model
                )
            return self._collection

    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            return self._embedder

    def _text_tools(self) -> tuple[Normaliser, Tokenizer]:
        with self._lock:
            if self._normaliser is None or self._tokenizer is None:
                path = self.data_dir / "thesaurus.csv"
                thesaurus = load_thesaurus(path) if path.is_file() else None
                self._normaliser = Normaliser(
                    SynonymTable.load(self.data_dir / "synonyms.txt"), thesaurus
                )
                tokenizer = Tokenizer(
                    self.data_dir / "userdict.txt", self.data_dir / "stopwords.txt"
                )
                # the official terms the thesaurus produces are cut as whole words on both sides
                for official in set(thesaurus.canonical.values()) if thesaurus else ():
                    for word in official.split():
                        if len(word) > 1 and not word.isascii():
                            tokenizer.add_word(word)
                self._tokenizer = tokenizer
            return self._normaliser, self._tokenizer

    @property
    def retriever(self) -> HybridRetriever:
        with self._lock:
            if self._retriever is None:
                normaliser, tokenizer = self._text_tools()
                index = KnowledgeIndex.from_collection(
                    self.collection, normaliser=normaliser, tokenizer=tokenizer
                )
                self._retriever = HybridRetriever(
                    index,
                    self.embedder,
                    normaliser,
                    tokenizer,
                    self.params,
                    NotCovered.load(self.data_dir / "not_covered.txt"),
                )
            return self._retriever

    def generator(self) -> GroundedGenerator | None:
        """The optional generator (``knowledge_generator_model``); None: extractive only."""
        with self._lock:
            if self._generator is None and self.settings.knowledge_generator_model:
                self._generator = load_local_generator(self.settings.knowledge_generator_model)
            return self._generator

    def warm_up(self) -> None:
        """Load everything now (used by the API in a background thread)."""
        try:
            if int(self.collection.count()) == 0:
                return  # nothing ingested yet: the first question will load what it needs
            _ = self.retriever
            if self.params.dense_weight > 0:
                self.embedder()
            self.last_error = None
        except Exception as exc:  # reported by status(), retried on the next question
            self.last_error = f"{type(exc).__name__}: {exc}"

    def reload(self) -> None:
        with self._lock:
            self._retriever = None

    # Operations ---------------------------------------------------------------------------
    def ingest(self, docs_dir: Path | None = None) -> IngestReport:
        with self._lock:
            report = ingest(
                self.collection, docs_dir or self.settings.knowledge_docs_dir, self.embedder
            )
            self.reload()
            return report

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
        return self.retriever.search(
            prepare_question(question),
            audience=audience,
            region=region,
            k=k,
            mode=mode,
            dense_weight=dense_weight,
        )

    def ask(
        self,
        question: str,
        audience: str = "resident",
        region: str | None = None,
        passage: str | None = None,
    ) -> Answer:
        """A cited answer, or a refusal (with suggestions when some passages are close).

        ``passage``: the id of a suggested passage the resident picked; the answer is built from
        that passage alone (sentences matching the question first). Raises
        :class:`UnknownPassageError` when no such passage is readable for ``audience``."""
        if audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {AUDIENCES}")
        cleaned = prepare_question(question)
        echo = (question or "")[:ECHO_CHARS]
        retriever = self.retriever
        if passage is not None:
            answer = self._answer_from(retriever, echo, cleaned, passage, audience)
        else:
            answer = self._answer(retriever, echo, cleaned, audience, region)
        if not answer.confident:
            return answer
        generator = self.generator()  # loaded only once a confident answer exists
        return generator.rewrite(answer) if generator else answer

    def _answer(
        self,
        retriever: HybridRetriever,
        echo: str,
        cleaned: str,
        audience: str,
        region: str | None,
    ) -> Answer:
        if not cleaned:
            return Answer(echo, EMPTY_REPLY, False)
        if not has_meaningful_text(cleaned):
            return Answer(echo, UNREADABLE_REPLY, False)
        result = retriever.search(cleaned, audience=audience, region=region)
        if not result.query_tokens:
            return Answer(echo, UNREADABLE_REPLY, False)
        confident = bool(result.hits) and result.confidence >= self.params.min_confidence
        close = [] if confident else retriever.close_passages(result, self.params.suggest_floor)
        return compose(
            echo,
            result,
            confident=confident,
            idf=retriever.index.bm25.idf,
            normalise=retriever.normaliser.passage,
            close=close,
        )

    def _answer_from(
        self, retriever: HybridRetriever, echo: str, cleaned: str, passage: str, audience: str
    ) -> Answer:
        chunk = retriever.passage(passage, audience)
        if chunk is None:
            raise UnknownPassageError(passage)
        return compose(
            echo,
            retriever.passage_result(cleaned, chunk),
            confident=True,
            idf=retriever.index.bm25.idf,
            normalise=retriever.normaliser.passage,
        )

    def status(self) -> dict[str, Any]:
        """Cheap health report; never loads the model, never raises."""
        info: dict[str, Any] = {
            "embedding_model": self.settings.embedding_model,
            "collection": self.collection_name,
            "store": redact_url(self.settings.effective_chroma_server_url or "")
            or f"embedded:{self.settings.effective_chroma_path}",
            "loaded": self._retriever is not None,
            "model_loaded": self._embedder is not None,
            "dense_weight": self.params.dense_weight,
        }
        try:
            chunks = int(self.collection.count())
        except Exception as exc:
            return {**info, "ok": False, "chunks": 0, "error": f"{type(exc).__name__}: {exc}"}
        info.update(ok=chunks > 0 and self.last_error is None, chunks=chunks)
        if self.last_error:
            info["error"] = self.last_error
        return info
