"""Benchmark the knowledge base in one run: retrieval quality, refusals, latency, ingestion.

    .venv/bin/python scripts/bench_knowledge.py [--tune] [--padding 10000] [--markdown FILE]

- Ingests ``knowledge/docs`` into a fresh temporary Chroma folder (ingestion throughput).
- Retrieval quality on ``knowledge/eval/questions.jsonl``: hit@1, hit@3, MRR for BM25-only,
  dense-only and hybrid, on the dev half (odd lines), the held-out half (even lines) and all.
- Refusals: share of unanswerable questions answered ``confident: false`` and share of
  answerable questions answered confidently (hybrid, tuned parameters).
- ``--tune`` picks ``dense_weight`` (by dev MRR, then hit@3) and ``min_confidence`` (dev:
  refuse ≥ 90% of unanswerable questions while answering as many answerable ones as possible)
  on the dev half only and writes them to ``knowledge/data/tuning.json``.
- Latency: the index padded to ``--padding`` chunks in a separate bench collection (padding
  passages are shuffled corpus words; their vectors are random unit vectors, since latency
  does not depend on their values), p50/p95 of ``ask`` over all eval questions.
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
from knowledge.embedding import SentenceTransformerEmbedder  # noqa: E402
from knowledge.retrieval import Mode, RetrievalParams  # noqa: E402
from knowledge.service import KnowledgeService  # noqa: E402
from knowledge.tuning import load_params, save_params  # noqa: E402

EVAL_FILE = ROOT / "knowledge" / "eval" / "questions.jsonl"
MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")
K = 10
WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)


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


def load_questions(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for i, row in enumerate(rows, start=1):
        row["split"] = "dev" if i % 2 else "heldout"
    return rows


def matches(meta: dict[str, Any], expected: list[str]) -> bool:
    for ref in expected:
        doc, _, prefix = ref.partition("#")
        if meta.get("doc_id") == doc and str(meta.get("section", "")).startswith(prefix):
            return True
    return False


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
            split: metrics([ranks[r["id"]] for r in answerable if split in ("all", r["split"])])
            for split in ("dev", "heldout", "all")
        }
    return out


def confidences(
    service: KnowledgeService, rows: list[dict[str, Any]], weight: float, oov_weight: float
) -> None:
    """Store each question's confidence (the coverage of its words by the top passage)."""
    retriever = service.retriever
    params = retriever.params
    retriever.params = replace(params, oov_weight=oov_weight)
    try:
        for row in rows:
            if "_top" not in row or row.get("_weight") != weight:
                result = service.search(
                    row["question"], audience=row["audience"], dense_weight=weight
                )
                row["_weight"] = weight
                row["_tokens"] = result.query_tokens
                row["_top"] = result.hits[0] if result.hits else None
            top = row["_top"]
            row["confidence"] = (
                retriever.coverage(row["_tokens"], top.chunk) if top and top.bm25 > 0 else 0.0
            )
    finally:
        retriever.params = params


def refusal_rates(rows: list[dict[str, Any]], threshold: float, split: str) -> dict[str, float]:
    chosen = [r for r in rows if split in ("all", r["split"])]
    unanswerable = [r for r in chosen if not r["answerable"]]
    answerable = [r for r in chosen if r["answerable"]]
    return {
        "unanswerable_refused": sum(r["confidence"] < threshold for r in unanswerable)
        / max(len(unanswerable), 1),
        "answerable_confident": sum(r["confidence"] >= threshold for r in answerable)
        / max(len(answerable), 1),
        "n_unanswerable": len(unanswerable),
        "n_answerable": len(answerable),
    }


def tune(service: KnowledgeService, rows: list[dict[str, Any]]) -> RetrievalParams:
    dev = [r for r in rows if r["split"] == "dev" and r["answerable"]]
    best: tuple[float, float, float] | None = None
    best_weight = 0.0
    for weight in WEIGHTS:
        m = metrics([rank_of(service, r, "hybrid", weight) for r in dev])
        key = (m["hit@3"], m["mrr"], -weight)
        print(f"  tune dense_weight={weight:.2f}: dev hit@3={m['hit@3']:.3f} mrr={m['mrr']:.3f}")
        if best is None or key > best:
            best, best_weight = key, weight
    best_threshold, best_oov, best_score = service.params.min_confidence, 0.6, -1.0
    for oov_weight in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
        confidences(service, rows, best_weight, oov_weight)
        for threshold in [round(0.02 * i, 2) for i in range(5, 46)]:
            rates = refusal_rates(rows, threshold, "dev")
            if rates["unanswerable_refused"] < 0.9:
                continue
            # prefer answering more; on ties the stricter threshold (safer refusals)
            score = rates["answerable_confident"] + 0.01 * rates["unanswerable_refused"]
            if score > best_score:
                best_threshold, best_oov, best_score = threshold, oov_weight, score
        print(f"  tune oov_weight={oov_weight}: best so far {best_threshold} ({best_score:.3f})")
    return replace(
        service.params,
        dense_weight=best_weight,
        min_confidence=best_threshold,
        oov_weight=best_oov,
    )


def sweep(service: KnowledgeService, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hybrid quality for every dense weight, dev and held-out (shown, not used for choice)."""
    answerable = [r for r in rows if r["answerable"]]
    out = []
    for weight in WEIGHTS:
        ranks = {r["id"]: rank_of(service, r, "hybrid", weight) for r in answerable}
        entry: dict[str, Any] = {"dense_weight": weight}
        for split in ("dev", "heldout"):
            entry[split] = metrics([ranks[r["id"]] for r in answerable if r["split"] == split])
        out.append(entry)
    return out


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true", help="tune on the dev half and save")
    parser.add_argument("--padding", type=int, default=10_000, help="chunks for the latency run")
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
        embedder = SentenceTransformerEmbedder(settings.embedding_model, threads=args.threads)
        results["model_load_seconds"] = time.perf_counter() - t0
        service = KnowledgeService(
            settings, embedder=embedder, params=load_params(settings.embedding_model)
        )
        report = service.ingest(settings.knowledge_docs_dir)
        service = KnowledgeService(
            settings,
            embedder=CachingEmbedder(embedder),
            params=load_params(settings.embedding_model),
        )
        results["ingest"] = {
            "chunks": report.chunks_embedded,
            "seconds": report.seconds,
            "chunks_per_second": report.chunks_embedded / max(report.seconds, 1e-9),
        }
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
        results["sweep"] = sweep(service, rows)
        confidences(service, rows, params.dense_weight, params.oov_weight)
        results["refusals"] = {
            split: refusal_rates(rows, params.min_confidence, split)
            for split in ("dev", "heldout", "all")
        }
        results["false_refusals"] = [
            r["question"]
            for r in rows
            if r["answerable"] and r["confidence"] < params.min_confidence
        ]
        results["false_answers"] = [
            r["question"]
            for r in rows
            if not r["answerable"] and r["confidence"] >= params.min_confidence
        ]
        results["latency"] = latency(settings, embedder, params, rows, args.padding)

    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def print_report(results: dict[str, Any]) -> None:
    print(f"embedding model: {results['embedding_model']}  params: {results['params']}")
    ing = results["ingest"]
    print(
        f"ingest: {ing['chunks']} chunks in {ing['seconds']:.2f} s "
        f"({ing['chunks_per_second']:.1f} chunks/s, model loaded beforehand in "
        f"{results['model_load_seconds']:.1f} s); unchanged re-run "
        f"{results['ingest_unchanged_seconds']:.3f} s"
    )
    print("\n| mode | split | n | hit@1 | hit@3 | MRR |\n|---|---|---|---|---|---|")
    for mode, splits in results["quality"].items():
        for split, m in splits.items():
            print(
                f"| {mode} | {split} | {m['n']} | {m['hit@1']:.3f} | {m['hit@3']:.3f} "
                f"| {m['mrr']:.3f} |"
            )
    print("\n| split | unanswerable refused | answerable answered confidently |\n|---|---|---|")
    for split, r in results["refusals"].items():
        print(
            f"| {split} | {r['unanswerable_refused']:.3f} (n={r['n_unanswerable']}) "
            f"| {r['answerable_confident']:.3f} (n={r['n_answerable']}) |"
        )
    print("\n| dense weight | dev hit@3 | dev MRR | held-out hit@3 | held-out MRR |")
    print("|---|---|---|---|---|")
    for e in results["sweep"]:
        print(
            f"| {e['dense_weight']:.2f} | {e['dev']['hit@3']:.3f} | {e['dev']['mrr']:.3f} "
            f"| {e['heldout']['hit@3']:.3f} | {e['heldout']['mrr']:.3f} |"
        )
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
    print(f"\nanswerable but refused: {results['false_refusals']}")
    print(f"unanswerable but answered: {results['false_answers']}")


if __name__ == "__main__":
    raise SystemExit(main())
