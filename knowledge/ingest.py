"""Idempotent ingestion keyed on the source file (a record manager kept in Chroma itself).

Each chunk's metadata carries its ``source`` (path relative to the docs folder) and the
``doc_hash`` of the file's bytes (plus the ingest format version). On every run:
unchanged files are skipped without loading the embedding model; changed files get their new
chunks added (embedded and written in batches across files) and then their old chunks deleted;
files that disappeared lose their chunks; an unreadable file is reported by name and skipped
(its previous chunks, if any, are kept).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.embedding import Embedder
from knowledge.frontmatter import normalise_metadata
from knowledge.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from knowledge.splitter import split_text
from knowledge.store import get_all

BATCH_SIZE = 256  # chunks per encode call and per Chroma write
INGEST_VERSION = "1"  # bump when splitting or metadata changes, to re-ingest everything


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": len(self.unchanged),
            "removed": self.removed,
            "failed": self.failed,
            "chunks_embedded": self.chunks_embedded,
            "chunks_total": self.chunks_total,
            "seconds": round(self.seconds, 3),
        }


def discover(docs_dir: Path) -> dict[str, Path]:
    """Supported files under ``docs_dir`` by their relative POSIX path."""
    if not docs_dir.is_dir():
        return {}
    return {
        path.relative_to(docs_dir).as_posix(): path
        for path in sorted(docs_dir.rglob("*"))
        if path.is_file()
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith((".", "_"))
        and path.name.lower() != "readme.md"
    }


def file_hash(path: Path) -> str:
    digest = hashlib.sha256(f"v{INGEST_VERSION}\0".encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def index_text(metadata: dict[str, Any], text: str) -> str:
    """What is embedded and BM25-indexed: document title, section heading, passage."""
    return f"{metadata.get('title', '')}\n{metadata.get('section', '')}\n{text}"


def build_records(
    source: str, path: Path, doc_hash: str
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(ids, passages, metadatas) of one file; raises LoadError."""
    loaded = load_file(path)
    try:
        base = normalise_metadata(
            loaded.front_matter, fallback_id=Path(source).stem, fallback_title=loaded.title_hint
        )
    except ValueError as exc:
        raise LoadError(f"metadata: {exc}") from exc
    drafts = split_text(loaded.text, title=base["title"], markdown=loaded.markdown)
    if not drafts:
        raise LoadError("no passages after splitting")
    key = hashlib.sha1(source.encode("utf-8")).hexdigest()[:10]
    ids, texts, metas = [], [], []
    for i, draft in enumerate(drafts):
        ids.append(f"{key}-{doc_hash[:12]}-{i:04d}")
        texts.append(draft.text)
        metas.append(
            {**base, "source": source, "section": draft.section, "chunk": i, "doc_hash": doc_hash}
        )
    return ids, texts, metas


def write_batches(
    collection: Any,
    records: list[tuple[str, str, dict[str, Any]]],
    embedder: Embedder,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Embed (id, passage, metadata) records and upsert them, ``batch_size`` at a time.

    One encode call and one Chroma write per batch across files (not per file), so the model
    runs on full batches and the store is written a few times instead of once per document.
    A document's new chunks are all written before its old chunks are deleted (by the caller).
    """
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        ids = [r[0] for r in batch]
        texts = [r[1] for r in batch]
        metas = [r[2] for r in batch]
        vectors = embedder.encode([index_text(m, t) for m, t in zip(metas, texts, strict=True)])
        collection.upsert(ids=ids, documents=texts, metadatas=metas, embeddings=vectors.tolist())


def ingest(
    collection: Any,
    docs_dir: Path,
    embedder_factory: Callable[[], Embedder],
) -> IngestReport:
    """Bring ``collection`` in line with ``docs_dir``; see the module docstring."""
    started = time.perf_counter()
    report = IngestReport()
    existing = get_all(collection, ["metadatas"])
    stored: dict[str, dict[str, Any]] = {}
    for chunk_id, meta in zip(existing["ids"], existing["metadatas"], strict=True):
        entry = stored.setdefault(str((meta or {}).get("source", "")), {"ids": [], "hashes": set()})
        entry["ids"].append(chunk_id)
        entry["hashes"].add((meta or {}).get("doc_hash"))

    files = discover(docs_dir)
    pending: list[tuple[str, list[str], list[str], list[dict[str, Any]]]] = []
    for source, path in files.items():
        try:
            doc_hash = file_hash(path)
        except OSError as exc:
            report.failed[source] = f"{type(exc).__name__}: {exc}"
            continue
        previous = stored.get(source)
        if previous and previous["hashes"] == {doc_hash}:
            report.unchanged.append(source)
            continue
        try:
            ids, texts, metas = build_records(source, path, doc_hash)
        except LoadError as exc:
            report.failed[source] = str(exc)
            continue
        pending.append((source, ids, texts, metas))

    if pending:  # the model is loaded only when something changed
        records = [
            (chunk_id, text, meta)
            for _, ids, texts, metas in pending
            for chunk_id, text, meta in zip(ids, texts, metas, strict=True)
        ]
        write_batches(collection, records, embedder_factory())
    for source, ids, _, _ in pending:
        report.chunks_embedded += len(ids)
        previous = stored.get(source)
        if previous:
            fresh = set(ids)
            stale = [i for i in previous["ids"] if i not in fresh]
            if stale:
                collection.delete(ids=stale)
            report.updated.append(source)
        else:
            report.added.append(source)

    for source, entry in stored.items():
        if source not in files:
            collection.delete(ids=entry["ids"])
            report.removed.append(source)
    report.chunks_total = collection.count()
    report.seconds = time.perf_counter() - started
    return report
