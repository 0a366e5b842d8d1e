"""Chroma access: an embedded persistent folder by default, or a Chroma server."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlparse

from huimin.settings import Settings

PAGE = 2000
CHROMA_TOKEN_HEADER = "X-Chroma-Token"


def collection_name(embedding_model: str, prefix: str = "huimin_knowledge") -> str:
    """One collection per embedding model (vectors of different models never mix)."""
    digest = hashlib.sha1(embedding_model.encode("utf-8")).hexdigest()[:10]
    return f"{prefix}_{digest}"


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    server_url = settings.effective_chroma_server_url
    if server_url:
        url = urlparse(server_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            # the production profile's balancer admits only requests carrying the token
            headers={CHROMA_TOKEN_HEADER: settings.chroma_token.get_secret_value()},
            settings=chroma_settings,
        )
    path = settings.effective_chroma_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def open_collection(client: Any, name: str, embedding_model: str) -> Any:
    return client.get_or_create_collection(
        name=name,
        metadata={"hnsw:space": "cosine", "embedding_model": embedding_model},
        embedding_function=None,
    )


def get_all(collection: Any, include: list[str]) -> dict[str, list[Any]]:
    """Every record of the collection, paged (servers cap the size of one answer)."""
    out: dict[str, list[Any]] = {"ids": []}
    for key in include:
        out[key] = []
    offset = 0
    while True:
        page = collection.get(include=include, limit=PAGE, offset=offset)
        ids = page["ids"]
        if not ids:
            break
        out["ids"].extend(ids)
        for key in include:
            values = page.get(key)
            out[key].extend(list(values) if values is not None else [None] * len(ids))
        offset += len(ids)
        if len(ids) < PAGE:
            break
    return out
