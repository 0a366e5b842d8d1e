"""Train the Rasa model only when its inputs changed (fingerprint over config and bot data)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from huimin.settings import PROJECT_ROOT, Settings
from launcher.environment import child_environment

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL_NAME = "huimin"


def model_path(settings: Settings) -> Path:
    return settings.var_dir / "models" / f"{MODEL_NAME}.tar.gz"


def fingerprint_path(settings: Settings) -> Path:
    return model_path(settings).parent / f"{MODEL_NAME}.fingerprint"


def _inputs() -> list[Path]:
    """What the model is trained from: config.yml and bot/ minus tests, hold-out and prose."""
    files = [PROJECT_ROOT / "config.yml"]
    files += sorted(p for p in (PROJECT_ROOT / "bot").rglob("*") if p.is_file())
    skipped_dirs = {"tests", "nlu_holdout"}
    return [
        p
        for p in files
        if p.exists()
        and p.suffix != ".md"
        and not skipped_dirs & set(p.relative_to(PROJECT_ROOT).parts)
    ]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in _inputs():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def is_current(settings: Settings) -> bool:
    stamp = fingerprint_path(settings)
    return (
        model_path(settings).exists()
        and stamp.exists()
        and stamp.read_text(encoding="utf-8").strip() == fingerprint()
    )


def train_if_needed(settings: Settings, *, force: bool = False) -> bool:
    """Return True when a new model was trained."""
    if not force and is_current(settings):
        return False
    out = model_path(settings).parent
    out.mkdir(parents=True, exist_ok=True)
    wanted = fingerprint()
    subprocess.run(
        [
            str(RASA_BIN),
            "train",
            "--domain",
            "bot/domain",
            "--data",
            "bot/data",
            "--config",
            "config.yml",
            "--out",
            str(out),
            "--fixed-model-name",
            MODEL_NAME,
        ],
        cwd=PROJECT_ROOT,
        check=True,
        env=child_environment(settings),
    )
    fingerprint_path(settings).write_text(wanted, encoding="utf-8")
    return True
