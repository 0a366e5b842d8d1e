"""scripts/nlu_report.py: intent macro-F1 and entity F1 floors of the NLU hold-out check."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "nlu_report.py"


@pytest.fixture(scope="module")
def report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nlu_report", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(folder: Path, intent_f1: float, entity_f1: float | None) -> Path:
    intents = {
        "greet": {"precision": 1, "recall": 1, "f1-score": 1.0, "support": 10},
        "inform": {"precision": 1, "recall": 1, "f1-score": intent_f1, "support": 10},
        "accuracy": 0.97,
        "macro avg": {"precision": 1, "recall": 1, "f1-score": (1 + intent_f1) / 2, "support": 20},
    }
    path = folder / "intent_report.json"
    path.write_text(json.dumps(intents), encoding="utf-8")
    if entity_f1 is not None:
        entities = {
            "age": {"precision": 1, "recall": 1, "f1-score": entity_f1, "support": 8},
            "no_entity": {"precision": 1, "recall": 1, "f1-score": 1.0, "support": 300},
            "micro avg": {"precision": 1, "recall": 1, "f1-score": entity_f1, "support": 8},
        }
        (folder / "DIETClassifier_report.json").write_text(json.dumps(entities), encoding="utf-8")
    return path


def test_both_floors_met(report: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert report.main([str(write(tmp_path, 0.96, 0.9))]) == 0
    out = capsys.readouterr().out
    assert "intent macro-F1 on the held-out split: 0.980" in out
    assert "entity F1 on the held-out split: 0.900" in out
    assert "age 0.90 (n=8)" in out


def test_entity_f1_below_its_floor_fails(report: ModuleType, tmp_path: Path) -> None:
    assert report.main([str(write(tmp_path, 1.0, 0.5))]) == 1


def test_intent_floor_is_095_by_default(report: ModuleType, tmp_path: Path) -> None:
    assert report.main([str(write(tmp_path, 0.85, None))]) == 1  # macro 0.925
    assert report.main([str(write(tmp_path, 0.85, None)), "--floor", "0.9"]) == 0


def test_a_named_entity_report_must_exist(report: ModuleType, tmp_path: Path) -> None:
    path = write(tmp_path, 1.0, None)
    assert report.main([str(path), "--entities", str(tmp_path / "missing.json")]) == 1


def test_entity_f1_without_a_micro_row_is_support_weighted(report: ModuleType) -> None:
    rows = {
        "age": {"f1-score": 1.0, "support": 3},
        "township": {"f1-score": 0.5, "support": 1},
        "no_entity": {"f1-score": 1.0, "support": 100},
    }
    assert report.entity_f1(rows) == pytest.approx(0.875)
