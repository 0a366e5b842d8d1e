"""HTTP: POST /api/eligibility/prescreen and GET /api/eligibility/standards on the real app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from huimin.idcard import make_number
from huimin.settings import Settings
from workflows.app import create_app

URL = "/api/eligibility/prescreen"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("eligibility-api")
    settings = Settings(
        environment="test", var_dir=folder, database_url=f"sqlite:///{folder / 'test.db'}"
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _household(**extra) -> dict:
    return {
        "hukou_township_code": "330111115000",
        "has_supporter_able": False,
        "members": [
            {
                "relation": "本人",
                "id_number": make_number("330183", dt.date(1950, 3, 1), 12),
                "incomes": [
                    {"kind": "pension", "monthly_amount": 600},
                    {"kind": "pension_basic", "monthly_amount": 300},
                ],
            },
        ],
        **extra,
    }


def test_prescreen_answers_every_program(client):
    response = client.post(URL, json=_household(), params={"on": "2026-06-01"})
    assert response.status_code == 200
    body = response.json()
    verdicts = {v["program"]: v for v in body["verdicts"]}
    assert set(verdicts) >= {
        "dibao",
        "dibao_edge",
        "tekun",
        "rigid_expenditure",
        "temporary",
        "medical",
        "disability_living",
        "disability_care",
        "elder_care_subsidy",
        "elderly_allowance",
    }
    assert verdicts["tekun"]["verdict"] == "likely"  # 76, own income 600 < sample 1,200
    assert verdicts["dibao"]["verdict"] == "likely"
    assert verdicts["dibao"]["program_label"] == "最低生活保障(低保)"
    reason = verdicts["dibao"]["reasons"][0]
    assert set(reason) >= {"text", "citation"}
    assert verdicts["dibao"]["materials"]
    # computed from sample standards: the verdict residents read says so
    assert verdicts["dibao"]["sample"] is True
    assert "示例标准,以民政部门公布为准" in verdicts["dibao"]["explanation"]
    assert verdicts["dibao"]["explanation"].startswith("符合的条件:")
    used = body["standards_used"]
    assert used["region"] == "330111115000"
    assert used["region_name"] == "富阳区新登镇"
    assert used["sample"] is True
    assert used["dibao_standard_monthly"] == 1200.0
    assert any("示例值" in note for note in used["notes"])
    assert body["household"]["per_capita_monthly_income"] == 600.0


def test_program_filter(client):
    response = client.post(URL, json=_household(programs=["medical", "tekun"]))
    assert response.status_code == 200
    assert [v["program"] for v in response.json()["verdicts"]] == ["medical", "tekun"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"members": []}, ["body", "members"]),
        (_household(programs=["lottery"]), ["body", "programs", 0]),
        (
            {"members": [{"relation": "本人", "incomes": [{"kind": "gift", "monthly_amount": 5}]}]},
            ["body", "members", 0, "incomes", 0, "kind"],
        ),
        (
            {
                "members": [
                    {"relation": "本人", "incomes": [{"kind": "wage", "monthly_amount": -5}]}
                ]
            },
            ["body", "members", 0, "incomes", 0, "monthly_amount"],
        ),
        (
            {
                "members": [
                    {"relation": "本人", "incomes": [{"kind": "wage", "monthly_amount": 1e8}]}
                ]
            },
            ["body", "members", 0, "incomes", 0, "monthly_amount"],
        ),
        (
            {"members": [{"relation": "本人", "birth_date": "2100-01-01"}]},
            ["body", "members", 0, "birth_date"],
        ),
        (
            {"members": [{"relation": "本人", "id_number": "330111198005170331"}]},
            ["body", "members", 0, "id_number"],
        ),
    ],
)
def test_bad_input_is_422_with_chinese_field_messages(client, body, loc):
    response = client.post(URL, json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    matching = [d for d in detail if d["loc"] == loc]
    assert matching, detail
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in d["msg"]) for d in detail)


def test_bad_day_is_422(client):
    response = client.post(URL, json=_household(), params={"on": "2026-13-01"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "on"]


def test_day_without_standard_is_422(client):
    response = client.post(URL, json=_household(), params={"on": "2001-01-01"})
    assert response.status_code == 422
    assert "没有生效的标准" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("region", "code"),
    [
        (None, "330111"),
        ("330111", "330111"),
        ("新登镇", "330111115000"),
        ("330111001000", "330111001000"),
        ("富春", "330111001000"),
    ],
)
def test_standards_by_region(client, region, code):
    params = {"on": "2026-06-01"} | ({"region": region} if region else {})
    response = client.get("/api/eligibility/standards", params=params)
    assert response.status_code == 200
    body = response.json()
    assert body["region"] == code
    assert body["edge_multiplier"] == 1.5
    assert body["temporary_caps_months"] == {"usual": 6, "max": 12}


def test_standards_by_unknown_region_is_422(client):
    response = client.get("/api/eligibility/standards", params={"region": "北京市"})
    assert response.status_code == 422
    assert "未知的地区" in response.json()["detail"][0]["msg"]


def test_proposal(client):
    response = client.get(
        "/api/eligibility/standards/proposal", params={"share": "0.4", "consumption": "48000"}
    )
    assert response.status_code == 200
    assert response.json()["proposed_monthly_per_person"] == 1600.0


@pytest.mark.parametrize("share", ["0.6", "0.2", "abc", "nan"])
def test_proposal_out_of_band_is_422(client, share):
    response = client.get(
        "/api/eligibility/standards/proposal", params={"share": share, "consumption": "48000"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "share"]


def test_standards_show_provenance_of_each_figure(client):
    body = client.get("/api/eligibility/standards", params={"on": "2026-06-01"}).json()
    figures = {f["name"]: f for f in body["figures"]}
    dibao = figures["dibao_standard"]
    assert dibao["value"] == 1200
    assert dibao["sample"] is True
    assert dibao["note"] == "示例值,非官方标准,请替换"
    assert dibao["effective_from"] == "2025-07-01"
    assert figures["edge_multiplier"]["sample"] is False
    assert "第八条" in figures["edge_multiplier"]["source"]


def test_history_uses_the_standard_of_that_day(client):
    before = client.get("/api/eligibility/standards", params={"on": "2025-06-30"}).json()
    after = client.get("/api/eligibility/standards", params={"on": "2025-07-01"}).json()
    assert before["dibao_standard_monthly"] == 1150.0
    assert after["dibao_standard_monthly"] == 1200.0


def test_rules_table_is_published(client):
    rules = client.get("/api/eligibility/rules", params={"on": "2026-06-01"}).json()
    by_program = {r["program"]: r for r in rules}
    tekun = by_program["tekun"]
    assert tekun["criteria"][0]["predicate"] == "no_work_capacity"
    assert tekun["criteria"][0]["params"]["elder_age"] == 60
    assert "《特困人员认定办法》" in tekun["criteria"][0]["citation"]
    assert tekun["materials"]
    assert "rigid_expenditure" in by_program
    before = client.get("/api/eligibility/rules", params={"on": "2024-06-01"}).json()
    assert "rigid_expenditure" not in {r["program"] for r in before}  # [GX] from 2025-01-01


def test_rules_file_setting_changes_answers_without_code(client, tmp_path):
    import yaml

    from workflows.eligibility.rules import DEFAULT_RULES_FILE

    raw = yaml.safe_load(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    tekun = next(p for p in raw["programs"] if p["program"] == "tekun")
    tekun["criteria"][0]["params"]["minor_age"] = 16  # [TK] art. 5 / [ZJ] art. 14 instead of [GG]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    settings = Settings(
        environment="test",
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'rules.db'}",
        eligibility_rules_file=path,
    )
    body = {
        "hukou_township_code": "330111001000",
        "has_supporter_able": False,
        "members": [{"relation": "本人", "age": 17}],
        "programs": ["tekun"],
    }
    with TestClient(create_app(settings)) as custom:
        answer = custom.post(URL, json=body, params={"on": "2026-06-01"}).json()
    assert answer["verdicts"][0]["verdict"] == "unlikely"
    shipped = client.post(URL, json=body, params={"on": "2026-06-01"}).json()
    assert shipped["verdicts"][0]["verdict"] == "likely"  # the shipped table says under 18
