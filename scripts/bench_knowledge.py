"""Benchmark the knowledge base in one run: retrieval, answers, refusals, latency, ingestion.

    .venv/bin/python scripts/bench_knowledge.py [--tune] [--quick] [--padding 10000] [--json FILE]

- Ingests ``knowledge/docs`` into a fresh temporary Chroma folder and compares ingestion
  throughput with the embedding model's own encode throughput on the same chunks.
- Two evaluation sets, reported separately (``knowledge/evalset.py``): the older
  ``questions.jsonl`` (dev = odd lines, held-out = even lines) and ``paraphrase.jsonl``
  (residents' own words, explicit ``split`` and ``fact``).
- Retrieval: hit@1, hit@3, MRR for BM25-only (jieba words + character bigrams), dense-only and
  hybrid, per set and split.
- Answers (``ask``) per mode: share answered, answered from an expected section, answered with
  the expected fact (paraphrase set), unanswerable questions correctly refused.
- ``--tune`` picks ``dense_weight`` and ``bigram_weight`` (dev hit@3, then MRR) and then the
  refusal threshold (``knowledge.calibration``, dev only) and writes ``knowledge/data/tuning.json``.
- Latency: the index padded to ``--padding`` chunks with SYNTHETIC chunks in a separate bench
  collection (shuffled corpus words; random unit vectors, since latency does not depend on their
  values), p50/p95 of ``ask`` over all eval questions. ``--quick`` skips the sweep and latency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huimin.settings import Settings  # noqa: E402
from knowledge.calibration import blind_retrievers, calibrate  # noqa: E402
from knowledge.embedding import encode_queries, load_embedder  # noqa: E402
from knowledge.evalset import (  # noqa: E402
    SETS,
    SPLITS,
    chosen,
    contains_fact,
    load_questions,
    matches,
)
from knowledge.ingest import index_text  # noqa: E402
from knowledge.retrieval import Mode, RetrievalParams  # noqa: E402
from knowledge.service import KnowledgeService, prepare_question  # noqa: E402
from knowledge.store import get_all  # noqa: E402
from knowledge.tuning import load_params, save_params  # noqa: E402

MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")
K = 10
WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
BIGRAM_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


class CachingEmbedder:
    """Quality runs ask the same questions many times; latency runs use the plain model."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache: dict[tuple[str, ...], np.ndarray] = {}

    def encode(self, texts: Any) -> np.ndarray:
        key = tuple(texts)
        if key not in self.cache:
            self.cache[key] = self.inner.encode(list(texts))
        return self.cache[key]

    def encode_queries(self, texts: Any) -> np.ndarray:
        key = ("\0query", *texts)
        if key not in self.cache:
            self.cache[key] = encode_queries(self.inner, list(texts))
        return self.cache[key]


def rank_of(service: KnowledgeService, row: dict[str, Any], mode: Mode, weight: float) -> int:
    """1-based rank of the first chunk that answers ``row`` (0: not in the top K)."""
    result = service.search(
        row["question"], audience=row["audience"], k=K, mode=mode, dense_weight=weight
    )
    for rank, hit in enumerate(result.hits, start=1):
        if matches(hit.chunk.meta, row["expected"]):
            return rank
    return 0


def metrics(ranks: list[int]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {
        "n": len(ranks),
        "hit@1": sum(r == 1 for r in ranks) / n,
        "hit@3": sum(1 <= r <= 3 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def quality(
    service: KnowledgeService, rows: list[dict[str, Any]], weight: float
) -> dict[str, dict[str, dict[str, float]]]:
    answerable = [r for r in rows if r["answerable"]]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for mode in MODES:
        ranks = {r["id"]: rank_of(service, r, mode, weight) for r in answerable}
        out[mode] = {
            f"{qset}/{split}": metrics([ranks[r["id"]] for r in chosen(answerable, qset, split)])
            for qset in SETS
            for split in SPLITS
        }
    return out


def blind_rank(
    views: dict[str, Any], service: KnowledgeService, row: dict[str, Any], params: RetrievalParams
) -> int:
    """``rank_of`` for a dev question asked without the thesaurus rows grown from it."""
    retriever = views.get(row["id"], service.retriever)
    result = retriever.search(
        prepare_question(row["question"]), audience=row["audience"], k=K, params=params
    )
    for rank, hit in enumerate(result.hits, start=1):
        if matches(hit.chunk.meta, row["expected"]):
            return rank
    return 0


def tune(service: KnowledgeService, rows: list[dict[str, Any]]) -> RetrievalParams:
    """Weights by dev hit@3 then MRR, each dev question asked "blind" (without the thesaurus
    rows grown from it, as a held-out question meets the table); then the refusal model
    (knowledge.calibration, blind as well)."""
    dev = [r for r in rows if r["split"] == "dev" and r["answerable"]]
    views = blind_retrievers(service, dev)
    best: tuple[float, float, float, float] | None = None
    best_weight, best_bigram = 0.0, 0.0
    for bigram in BIGRAM_WEIGHTS:
        for weight in WEIGHTS:
            trial = replace(service.params, bigram_weight=bigram, dense_weight=weight)
            m = metrics([blind_rank(views, service, r, trial) for r in dev])
            # MRR to 2 decimals: a dense weight must pay for a model call per question
            key = (m["hit@3"], round(m["mrr"], 2), -weight, -bigram)
            if best is None or key > best:
                best, best_weight, best_bigram = key, weight, bigram
        print(f"  tune bigram_weight={bigram:.2f}: best so far {best}")
    params = replace(service.params, dense_weight=best_weight, bigram_weight=best_bigram)
    service.retriever.params = params
    result = calibrate(service, rows, params=params)
    print(f"  calibrated on dev: {result.as_dict()}")
    return result.params


def sweep(service: KnowledgeService, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hybrid quality for every dense weight, dev and held-out (shown, not used for choice)."""
    answerable = [r for r in rows if r["answerable"]]
    out = []
    for weight in WEIGHTS:
        ranks = {r["id"]: rank_of(service, r, "hybrid", weight) for r in answerable}
        entry: dict[str, Any] = {"dense_weight": weight}
        for split in ("dev", "heldout"):
            entry[split] = metrics([ranks[r["id"]] for r in chosen(answerable, "all", split)])
        out.append(entry)
    return out


def answers(service: KnowledgeService, rows: list[dict[str, Any]]) -> None:
    """Ask every question; store whether it was answered, with the fact, from the right place."""
    for row in rows:
        answer = service.ask(row["question"], audience=row["audience"])
        body = answer.answer.partition("\n来源：")[0]
        row["answered"] = answer.confident
        row["cited_expected"] = answer.confident and any(
            matches({"doc_id": c_doc(c.source, service), "section": c.section}, row["expected"])
            for c in answer.citations
        )
        row["fact_ok"] = answer.confident and contains_fact(body, row.get("fact") or [])
        row["offered_right"] = any(
            matches(_passage_meta(service, s.passage), row["expected"]) for s in answer.suggestions
        )
        row["offered_any"] = bool(answer.suggestions)
        row["answer"] = body


def _passage_meta(service: KnowledgeService, chunk_id: str) -> dict[str, Any]:
    chunk = service.retriever.passage(chunk_id, None)
    return chunk.meta if chunk is not None else {}


def blind_answers(service: KnowledgeService, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Dev questions asked "blind" (each without the thesaurus rows grown from it): how the
    system answers wordings nobody added to the table, measured without the held-out half.
    Rates per set as in ``answer_rates``."""
    dev = [dict(r) for r in rows if r["split"] == "dev"]
    views = blind_retrievers(service, dev)
    own = service._retriever
    try:
        for row in dev:
            service._retriever = views.get(row["id"], own)
            answers(service, [row])
    finally:
        service._retriever = own
    return {f"{qset}/dev-blind": answer_rates(dev, qset, "dev") for qset in SETS}


_DOC_IDS: dict[str, str] = {}


def c_doc(source: str, service: KnowledgeService) -> str:
    """doc_id of a cited source file (citations carry the file, the eval names the doc id)."""
    if not _DOC_IDS:
        for chunk in service.retriever.index.chunks:
            _DOC_IDS[str(chunk.meta.get("source"))] = str(chunk.meta.get("doc_id"))
    return _DOC_IDS.get(source, "")


def answer_rates(rows: list[dict[str, Any]], qset: str, split: str) -> dict[str, Any]:
    picked = chosen(rows, qset, split)
    answerable = [r for r in picked if r["answerable"]]
    unanswerable = [r for r in picked if not r["answerable"]]
    n = max(len(answerable), 1)
    with_fact = [r for r in answerable if r.get("fact")]
    return {
        "n_answerable": len(answerable),
        "answered": sum(r["answered"] for r in answerable) / n,
        "answered_from_expected_section": sum(r["cited_expected"] for r in answerable) / n,
        "answered_with_fact": (
            sum(r["fact_ok"] for r in with_fact) / len(with_fact) if with_fact else None
        ),
        # the resident reaches the fact in one tap: answered with it (or, without facts, from
        # a right section), or refused with a right passage among the suggestions
        "reached": sum(
            (r["fact_ok"] if r.get("fact") else r["cited_expected"]) or r["offered_right"]
            for r in answerable
        )
        / n,
        "offered_outside": (
            sum(r["offered_any"] for r in unanswerable) / len(unanswerable)
            if unanswerable
            else None
        ),
        "n_unanswerable": len(unanswerable),
        "refused": (
            sum(not r["answered"] for r in unanswerable) / len(unanswerable)
            if unanswerable
            else None
        ),
    }


def padding_records(
    service: KnowledgeService, target: int, seed: int = 7
) -> tuple[list[str], list[str], list[dict[str, Any]], list[list[float]]]:
    base = service.collection.get(include=["documents", "metadatas", "embeddings"])
    ids, docs = list(base["ids"]), list(base["documents"])
    metas = [dict(m) for m in base["metadatas"]]
    vectors = [list(map(float, v)) for v in base["embeddings"]]
    rng = random.Random(seed)
    words = [w for d in docs for w in service.retriever.tokenizer.tokens(d)]
    dim = len(vectors[0])
    np_rng = np.random.default_rng(seed)
    i = 0
    while len(ids) < target:
        text = "".join(rng.choice(words) for _ in range(rng.randint(30, 90))) + "。"
        vec = np_rng.normal(size=dim)
        ids.append(f"pad-{i:05d}")
        docs.append(text)
        metas.append(
            {
                "doc_id": f"pad{i // 10}",
                "title": f"填充文档{i // 10}",
                "section": f"第{i % 10 + 1}节",
                "issuer": "基准测试",
                "doc_number": "",
                "effective_date": "2026-01-01",
                "region": "fuyang",
                "audience": "resident,adviser,staff",
                "superseded_by": "",
                "source": f"padding/{i // 10}.md",
                "chunk": i % 10,
                "doc_hash": "padding",
            }
        )
        vectors.append(list(vec / np.linalg.norm(vec)))
        i += 1
    return ids, docs, metas, vectors


def latency(
    settings: Settings, embedder: Any, params: RetrievalParams, rows: list[dict[str, Any]], n: int
) -> dict[str, float]:
    source = KnowledgeService(settings, embedder=embedder, params=params)
    ids, docs, metas, vectors = padding_records(source, n)
    bench = KnowledgeService(
        settings, embedder=embedder, params=params, collection_prefix="bench_padded"
    )
    started = time.perf_counter()
    for start in range(0, len(ids), 2000):
        stop = start + 2000
        bench.collection.add(
            ids=ids[start:stop],
            documents=docs[start:stop],
            metadatas=metas[start:stop],
            embeddings=vectors[start:stop],
        )
    store_seconds = time.perf_counter() - started
    started = time.perf_counter()
    bench.reload()
    _ = bench.retriever
    index_seconds = time.perf_counter() - started
    out: dict[str, Any] = {
        "chunks": len(bench.retriever.index),
        "store_padding_seconds": store_seconds,
        "build_index_seconds": index_seconds,
    }
    # tuned parameters, then the dense side forced on (the query is embedded every time)
    for label, weight in (
        ("tuned", params.dense_weight),
        ("dense_on", max(params.dense_weight, 0.2)),
    ):
        bench.retriever.params = replace(params, dense_weight=weight)
        for row in rows[:5]:  # warm-up
            bench.ask(row["question"], audience=row["audience"])
        times = []
        for row in rows:
            t0 = time.perf_counter()
            bench.ask(row["question"], audience=row["audience"])
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[label] = {
            "dense_weight": weight,
            "questions": len(times),
            "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))],
            "max_ms": times[-1],
        }
    return out


def encode_throughput(embedder: Any, service: KnowledgeService) -> dict[str, float]:
    """The model's own encode speed on exactly the chunks ingestion embedded."""
    records = get_all(service.collection, ["documents", "metadatas"])
    texts = [
        index_text(m, t) for m, t in zip(records["metadatas"], records["documents"], strict=True)
    ]
    started = time.perf_counter()
    embedder.encode(texts)
    seconds = time.perf_counter() - started
    return {"chunks": len(texts), "seconds": seconds, "chunks_per_second": len(texts) / seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true", help="tune on the dev half and save")
    parser.add_argument("--padding", type=int, default=10_000, help="chunks for the latency run")
    parser.add_argument("--quick", action="store_true", help="skip the sweep and the latency run")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: fastest on a shared machine)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    base = Settings()
    rows = load_questions()
    results: dict[str, Any] = {"embedding_model": base.embedding_model}
    with tempfile.TemporaryDirectory(prefix="bench-knowledge-") as tmp:
        settings = base.model_copy(update={"chroma_path": Path(tmp) / "chroma"})
        t0 = time.perf_counter()
        embedder = load_embedder(settings.embedding_model, threads=args.threads)
        embedder.encode(["预热"])  # first call pays one-off costs; not part of either figure
        results["model_load_seconds"] = time.perf_counter() - t0
        service = KnowledgeService(
            settings, embedder=embedder, params=load_params(settings.embedding_model)
        )
        report = service.ingest(settings.knowledge_docs_dir)
        model = encode_throughput(embedder, service)
        ingest_rate = report.chunks_embedded / max(report.seconds, 1e-9)
        results["ingest"] = {
            "chunks": report.chunks_embedded,
            "seconds": report.seconds,
            "chunks_per_second": ingest_rate,
            "model_encode_chunks_per_second": model["chunks_per_second"],
            "ratio": ingest_rate / model["chunks_per_second"],
        }
        service = KnowledgeService(
            settings,
            embedder=CachingEmbedder(embedder),
            params=load_params(settings.embedding_model),
        )
        again = service.ingest(settings.knowledge_docs_dir)
        results["ingest_unchanged_seconds"] = again.seconds
        if args.tune:
            params = tune(service, rows)
            save_params(settings.embedding_model, params)
            service.params = params
            service.reload()
        params = service.params
        results["params"] = asdict(params)
        results["quality"] = quality(service, rows, params.dense_weight)
        if not args.quick:
            results["sweep"] = sweep(service, rows)
        # answers per mode: BM25-only (lexical: words + bigrams), dense-only, hybrid (tuned);
        # the hybrid run goes last so the lists of misses below are the hybrid ones
        results["answers_by_mode"] = {}
        for mode, weight in (("bm25", 0.0), ("dense", 1.0), ("hybrid", params.dense_weight)):
            service.retriever.params = replace(params, dense_weight=weight)
            answers(service, rows)
            results["answers_by_mode"][mode] = {
                f"{qset}/{split}": answer_rates(rows, qset, split)
                for qset in SETS
                for split in SPLITS
            }
        service.retriever.params = params
        results["answers"] = results["answers_by_mode"]["hybrid"]
        results["answers_dev_blind"] = blind_answers(service, rows)
        # misses are listed for the dev half only: held-out questions are counted, never read
        dev_rows = [r for r in rows if r["split"] == "dev"]
        results["false_refusals"] = [
            f"{r['id']} {r['question']}" for r in dev_rows if r["answerable"] and not r["answered"]
        ]
        results["missing_fact"] = [
            f"{r['id']} {r['question']} -> {r['answer'][:80]}"
            for r in dev_rows
            if r["answerable"] and r["answered"] and r.get("fact") and not r["fact_ok"]
        ]
        results["false_answers"] = [
            f"{r['id']} {r['question']}" for r in dev_rows if not r["answerable"] and r["answered"]
        ]
        if not args.quick:
            results["latency"] = latency(settings, embedder, params, rows, args.padding)

    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


ANSWER_COLUMNS = (
    "answerable | answered | answered from an expected section | answered with the fact "
    "| reached in one tap | unanswerable | correctly refused | refused, passages offered"
)


def _answer_cells(r: dict[str, Any]) -> str:
    """One row of ``answer_rates`` under ``ANSWER_COLUMNS``."""
    return (
        f"{r['n_answerable']} | {_f(r['answered'])} | {_f(r['answered_from_expected_section'])} "
        f"| {_f(r['answered_with_fact'])} | {_f(r['reached'])} | {r['n_unanswerable']} "
        f"| {_f(r['refused'])} | {_f(r['offered_outside'])}"
    )


def print_report(results: dict[str, Any]) -> None:
    print(f"embedding model: {results['embedding_model']}  params: {results['params']}")
    ing = results["ingest"]
    print(
        f"ingest: {ing['chunks']} chunks in {ing['seconds']:.2f} s "
        f"({ing['chunks_per_second']:.1f} chunks/s; the model alone encodes the same chunks at "
        f"{ing['model_encode_chunks_per_second']:.1f} chunks/s: ratio {ing['ratio']:.2f}; "
        f"model loaded beforehand in {results['model_load_seconds']:.1f} s); unchanged re-run "
        f"{results['ingest_unchanged_seconds']:.3f} s"
    )
    print("\n| mode | set/split | n | hit@1 | hit@3 | MRR |\n|---|---|---|---|---|---|")
    for mode, splits in results["quality"].items():
        for split, m in splits.items():
            print(
                f"| {mode} | {split} | {m['n']} | {m['hit@1']:.3f} | {m['hit@3']:.3f} "
                f"| {m['mrr']:.3f} |"
            )
    print(f"\n| mode | set/split | {ANSWER_COLUMNS} |\n|---|---|{'---|' * 8}")
    for mode, table in results["answers_by_mode"].items():
        for split, r in table.items():
            print(f"| {mode} | {split} | {_answer_cells(r)} |")
    print(
        "\nhybrid, dev questions asked blind (without the thesaurus rows grown from them):\n"
        f"| set/split | {ANSWER_COLUMNS} |\n|---|{'---|' * 8}"
    )
    for split, r in results.get("answers_dev_blind", {}).items():
        if r["n_answerable"] or r["n_unanswerable"]:
            print(f"| {split} | {_answer_cells(r)} |")
    if "sweep" in results:
        print("\n| dense weight | dev hit@3 | dev MRR | held-out hit@3 | held-out MRR |")
        print("|---|---|---|---|---|")
        for e in results["sweep"]:
            print(
                f"| {e['dense_weight']:.2f} | {e['dev']['hit@3']:.3f} | {e['dev']['mrr']:.3f} "
                f"| {e['heldout']['hit@3']:.3f} | {e['heldout']['mrr']:.3f} |"
            )
    if "latency" in results:
        lat = results["latency"]
        print(
            f"\nlatency of ask() over {lat['chunks']} chunks (index built in "
            f"{lat['build_index_seconds']:.1f} s):"
        )
        for label in ("tuned", "dense_on"):
            m = lat[label]
            print(
                f"  {label} (dense_weight={m['dense_weight']}): {m['questions']} questions, "
                f"p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms, max {m['max_ms']:.1f} ms"
            )
    for key in ("false_refusals", "missing_fact", "false_answers"):
        print(f"\n{key} (dev half only):")
        for line in results[key]:
            print(f"  {line}")


if __name__ == "__main__":
    raise SystemExit(main())
