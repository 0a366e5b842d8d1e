"""Tuned retrieval parameters, stored as data in ``knowledge/data/tuning.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from knowledge.retrieval import RetrievalParams

DATA_DIR = Path(__file__).resolve().parent / "data"
TUNING_FILE = DATA_DIR / "tuning.json"


def tuning_key(embedding_model: str) -> str:
    """Parameters are per model: the best dense weight depends on the model's quality."""
    return Path(embedding_model).name or embedding_model


def load_params(embedding_model: str, path: Path = TUNING_FILE) -> RetrievalParams:
    if not path.is_file():
        return RetrievalParams()
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = data.get(tuning_key(embedding_model)) or data.get("default") or {}
    known = {f.name for f in fields(RetrievalParams)}
    return RetrievalParams(**{k: v for k, v in entry.items() if k in known})


def save_params(embedding_model: str, params: RetrievalParams, path: Path = TUNING_FILE) -> None:
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data[tuning_key(embedding_model)] = asdict(params)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
