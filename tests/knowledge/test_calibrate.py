"""The refusal threshold is calibrated on the dev half and written to the tuning data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import cli
from knowledge.calibration import calibrate
from knowledge.service import KnowledgeService
from knowledge.tuning import load_params


@pytest.fixture
def rows() -> list[dict]:
    def row(i: int, q: str, ok: bool, split: str = "dev") -> dict:
        return {
            "id": f"x{i}",
            "question": q,
            "audience": "resident",
            "answerable": ok,
            "expected": ["db#第十九条"] if ok else [],
            "split": split,
            "set": "new",
        }

    return [
        row(1, "低保要公示几天", True),
        row(2, "低保公示期多久", True),
        row(3, "今天天气怎么样", False),
        row(4, "长期护理保险怎么申请", False),
        row(5, "公积金怎么提取", False, "heldout"),
    ]


def test_calibration_meets_the_refusal_target_on_dev(
    real_service: KnowledgeService, rows: list[dict]
) -> None:
    result = calibrate(real_service, rows, target=1.0)
    assert result.n_unanswerable == 2  # the held-out question is never read
    assert result.refused == 1.0
    assert 0.1 <= result.params.min_confidence <= 0.9


def test_calibrate_command_writes_tuning(
    real_service: KnowledgeService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "tuning.json"
    code = cli.main(["calibrate", "--tuning-file", str(target)], service=real_service)
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["saved"] is True
    assert out["dev_refused"] >= 0.9
    saved = load_params(real_service.settings.embedding_model, target)
    assert saved.min_confidence == out["min_confidence"]
    assert saved.bigram_share == out["bigram_share"]


def test_calibrate_dry_run_writes_nothing(
    real_service: KnowledgeService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "tuning.json"
    args = ["calibrate", "--dry-run", "--tuning-file", str(target)]
    assert cli.main(args, service=real_service) == 0
    assert json.loads(capsys.readouterr().out)["saved"] is False
    assert not target.exists()


def test_calibrate_rejects_a_bad_target(
    real_service: KnowledgeService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["calibrate", "--target", "2"], service=real_service) == 2
    assert "0 和 1" in capsys.readouterr().err
