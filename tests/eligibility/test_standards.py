"""Dated standards: region lookup, periods, the shipped sample file, the proposal helper."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from huimin.settings import Settings
from workflows.eligibility.standards import (
    DEFAULT_STANDARDS_FILE,
    StandardsError,
    StandardsRepository,
    load_standards,
    propose_dibao_standard,
)

FUCHUN = "330111001000"  # 街道
XINDENG = "330111115000"  # 镇
HUYUAN = "330111205000"  # 乡


def _entry(region: str, value: int, start: str, end: str | None = None) -> dict:
    return {
        "region": region,
        "effective_from": start,
        "effective_to": end,
        "monthly_per_person": value,
        "sample": False,
    }


@pytest.fixture
def split(mapping) -> StandardsRepository:
    return StandardsRepository.from_mapping(
        mapping(
            dibao_standard=[
                _entry("330111", 900, "2024-01-01", "2024-12-31"),
                _entry("330111", 1000, "2025-01-01"),
                _entry("330111:urban", 1100, "2025-01-01"),
                _entry(XINDENG, 1050, "2025-07-01"),
            ]
        )
    )


@pytest.mark.parametrize(
    ("region", "day", "expected"),
    [
        (None, "2024-06-30", 900),
        (None, "2024-12-31", 900),
        (None, "2025-01-01", 1000),
        (FUCHUN, "2025-03-01", 1100),  # 街道 → urban entry
        (HUYUAN, "2025-03-01", 1000),  # 乡 → rural → district
        (XINDENG, "2025-06-30", 1000),  # township entry not yet in force
        (XINDENG, "2025-07-01", 1050),  # township entry wins
        ("330111:urban", "2025-03-01", 1100),
    ],
)
def test_region_and_period_lookup(split, region, day, expected):
    assert split.resolve(region, dt.date.fromisoformat(day)).dibao == expected


def test_no_standard_in_force_is_an_error(split):
    with pytest.raises(StandardsError, match="没有生效的标准"):
        split.resolve(None, dt.date(2023, 12, 31))


def test_unknown_region_is_an_error(split):
    with pytest.raises(StandardsError, match="未知的地区"):
        split.resolve("110101001000", dt.date(2025, 1, 1))


def test_shipped_file_is_labelled_sample():
    repo = load_standards()
    resolved = repo.resolve(None, dt.date(2026, 1, 1))
    assert resolved.any_sample
    assert resolved.figures["dibao_standard"].sample
    assert "示例值" in resolved.figures["dibao_standard"].note
    # the figures that come from regulations are not samples
    assert not resolved.figures["edge_multiplier"].sample
    assert resolved.edge_multiplier == Decimal("1.5")
    assert resolved.temporary_caps == {"usual": 6, "max": 12}
    assert not resolved.figures["temporary_caps_months"].sample


def test_every_shipped_sample_entry_says_so():
    raw = yaml.safe_load(DEFAULT_STANDARDS_FILE.read_text(encoding="utf-8"))
    for name, entries in raw.items():
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if entry.get("sample", True):
                assert entry.get("note"), name


def test_settings_file_replaces_the_standards(tmp_path: Path, mapping):
    data = mapping(dibao_standard=[_entry("330111", 1234, "2020-01-01")])
    path = tmp_path / "standards.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    repo = load_standards(Settings(eligibility_standards_file=path))
    resolved = repo.resolve(None, dt.date(2026, 1, 1))
    assert resolved.dibao == 1234
    assert not resolved.figures["dibao_standard"].sample


def test_missing_settings_file_is_reported(tmp_path: Path):
    with pytest.raises(StandardsError, match="找不到"):
        load_standards(Settings(eligibility_standards_file=tmp_path / "nope.yaml"))


@pytest.mark.parametrize(
    ("consumption", "share", "monthly"),
    [
        ("42000", "0.30", 1050),
        ("42000", "0.50", 1750),
        ("42000", "0.40", 1400),
        ("40000", "0.35", 1167),
    ],
)
def test_proposal_inside_band(consumption, share, monthly):
    assert propose_dibao_standard(Decimal(consumption), Decimal(share)) == monthly


@pytest.mark.parametrize("share", ["0.29", "0.2999", "0.5001", "0.51", "0", "1"])
def test_proposal_outside_band_is_refused(share):
    with pytest.raises(StandardsError, match="30%至50%"):
        propose_dibao_standard(Decimal("42000"), Decimal(share))
