"""The directory API on SQLite and PostgreSQL: nearby search, coverage, import, who may call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from workflows.audit.models import AuditEvent
from workflows.eldercare import importer
from workflows.eldercare.communities import load_communities
from workflows.eldercare.geo import haversine_m
from workflows.eldercare.models import Facility

HEADER = ",".join(importer.HEADERS.values())


def row(
    code: str, lat: float, lon: float, *, kind: str = "老年食堂", services: str = "助餐"
) -> str:
    return (
        f"{code},{code}食堂(示例),{kind},富春街道,示例社区,示例路1号,{lat},{lon},"
        f"每日 11:00-12:30,{services},,0571-00000009,示例单位,2026-11-30,是,,,"
    )


def upload(client: TestClient, headers: dict[str, str], *rows: str, mode: str = "all") -> Any:
    data = ("\n".join((HEADER, *rows)) + "\n").encode()
    return client.post(
        "/api/eldercare/facilities/import",
        files={"file": ("list.csv", data, "text/csv")},
        data={"mode": mode},
        headers=headers,
    )


def count(app: FastAPI) -> int:
    with app.state.session_factory() as session:
        return int(session.scalar(select(func.count(Facility.id))) or 0)


@pytest.mark.usefixtures("sample_directory")
def test_nearby_by_coordinates_is_nearest_first(
    client: TestClient, internal: dict[str, str]
) -> None:
    community = load_communities()[0]
    answer = client.get(
        "/api/eldercare/services/nearby",
        params={"lat": community.lat, "lon": community.lon, "minutes": 30},
        headers=internal,
    )
    assert answer.status_code == 200, answer.text
    hits = answer.json()
    assert hits, "the sample has facilities near its first community"
    minutes = [h["walking_minutes"] for h in hits]
    assert minutes == sorted(minutes)
    assert all(m <= 30 for m in minutes)
    first = hits[0]
    assert set(first) >= {"id", "name", "kind", "services", "address", "lat", "lon",
                          "walking_minutes", "hours", "phone", "sample"}  # fmt: skip
    assert first["sample"] is True
    metres = haversine_m(community.lat, community.lon, first["lat"], first["lon"])
    assert first["walking_minutes"] == pytest.approx(metres * 1.25 / 50, abs=0.06)


@pytest.mark.usefixtures("sample_directory")
def test_nearby_filters_by_service_and_place(client: TestClient, internal: dict[str, str]) -> None:
    community = load_communities()[0]
    answer = client.get(
        "/api/eldercare/services/nearby",
        params={"place": community.name, "service": "助餐", "minutes": 60},
        headers=internal,
    )
    assert answer.status_code == 200, answer.text
    hits = answer.json()
    assert hits
    assert all("meal" in h["services"] for h in hits)
    by_township = client.get(
        "/api/eldercare/services/nearby",
        params={"place": "我住在富春街道", "minutes": 60, "kind": "社会救助服务站"},
        headers=internal,
    ).json()
    assert by_township
    assert all(h["kind"] == "assistance_station" for h in by_township)


def test_nearby_walk_limit_and_settings(client: TestClient, app: FastAPI, login: Any) -> None:
    supervisor = login("super")
    # 0.005° of latitude ≈ 556 m ≈ 13.9 min at 50 m/min × 1.25; 0.007° ≈ 778 m ≈ 19.5 min
    assert (
        upload(
            client, supervisor, row("NEAR", 30.005, 120.0), row("FAR", 30.007, 120.0)
        ).status_code
        == 200
    )
    answer = client.get(
        "/api/eldercare/services/nearby", params={"lat": 30.0, "lon": 120.0}, headers=supervisor
    )
    assert [h["name"] for h in answer.json()] == ["NEAR食堂(示例)"]
    assert answer.json()[0]["walking_minutes"] == pytest.approx(13.9, abs=0.05)
    wider = client.get(
        "/api/eldercare/services/nearby",
        params={"lat": 30.0, "lon": 120.0, "minutes": 20},
        headers=supervisor,
    )
    assert [h["name"] for h in wider.json()] == ["NEAR食堂(示例)", "FAR食堂(示例)"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "lat", "请提供经纬度"),
        ({"lat": 30.0}, "lon", "经纬度需同时提供"),
        ({"place": "火星村"}, "place", "没有找到“火星村”"),
        ({"lat": 30.0, "lon": 120.0, "service": "唱歌"}, "service", "无法识别服务“唱歌”"),
    ],
)
def test_nearby_bad_input_is_a_chinese_422(
    client: TestClient, internal: dict[str, str], params: dict[str, Any], field: str, message: str
) -> None:
    answer = client.get("/api/eldercare/services/nearby", params=params, headers=internal)
    assert answer.status_code == 422
    [error] = answer.json()["detail"]
    assert error["loc"] == ["query", field]
    assert message in error["msg"]


def test_nearby_needs_a_caller(client: TestClient) -> None:
    answer = client.get("/api/eldercare/services/nearby", params={"lat": 30, "lon": 120})
    assert answer.status_code == 401


@pytest.mark.usefixtures("sample_directory")
def test_coverage_lists_missing_services(client: TestClient, login: Any) -> None:
    answer = client.get("/api/eldercare/coverage", headers=login("adviser"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["sample"] is True
    assert body["sample_label"] == "示例数据(虚构)"
    assert body["minutes"] == 15
    assert body["summary"]["communities"] == len(load_communities()) == len(body["communities"])
    some = body["communities"][0]
    assert set(some["covered"]) | set(some["missing"]) == set(body["target_services"])
    only = client.get(
        "/api/eldercare/coverage",
        params={"township": "新登镇", "only_missing": True},
        headers=login("adviser"),
    ).json()["communities"]
    assert only
    assert all(c["township"] == "新登镇" and c["missing"] for c in only)


def test_import_all_mode_refuses_the_whole_file(
    client: TestClient, app: FastAPI, login: Callable[[str], dict[str, str]]
) -> None:
    answer = upload(client, login("super"), row("A1", 30.0, 120.0), row("A2", 39.0, 120.0))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail["written"] is False
    assert detail["rejected_lines"] == [3]
    assert detail["errors"][0]["text"].startswith("第3行〔纬度〕")
    assert count(app) == 0


def test_import_partial_mode_keeps_good_rows_and_is_audited(
    client: TestClient, app: FastAPI, login: Callable[[str], dict[str, str]]
) -> None:
    supervisor = login("super")
    answer = upload(
        client, supervisor, row("A1", 30.0, 120.0), row("A2", 39.0, 120.0), mode="partial"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 1
    assert answer.json()["rejected_lines"] == [3]
    assert count(app) == 1
    # an update of the same code is seen by the next search (the index is rebuilt)
    assert (
        upload(client, supervisor, row("A1", 30.0, 120.0, services="助餐、助浴")).json()["updated"]
        == 1
    )
    hits = client.get(
        "/api/eldercare/services/nearby",
        params={"lat": 30.0, "lon": 120.0, "service": "bath"},
        headers=supervisor,
    ).json()
    assert [h["services"] for h in hits] == [["meal", "bath"]]
    with app.state.session_factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "eldercare.directory_imported")
        ).all()
    assert [e.actor for e in events] == ["staff:super", "staff:super"]


@pytest.mark.parametrize("username", ["rev_fuchun", "adviser"])
def test_only_the_supervisor_imports(
    client: TestClient, app: FastAPI, login: Callable[[str], dict[str, str]], username: str
) -> None:
    answer = upload(client, login(username), row("A1", 30.0, 120.0))
    assert answer.status_code == 403
    assert "督导" in answer.json()["detail"]
    assert count(app) == 0


def test_benefits_for_an_elder(client: TestClient) -> None:
    body = {
        "hukou_township_code": "330111001000",
        "confirmed_programs": ["tekun"],
        "members": [{"relation": "本人", "age": 84, "needs_assessment_level": "重度失能"}],
    }
    answer = client.post("/api/eldercare/benefits", params={"on": "2026-06-01"}, json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    verdicts = {v["program"]: v for v in result["verdicts"]}
    assert next(iter(verdicts)) == "ability_assessment"
    assert "dibao" not in verdicts  # social-assistance verdicts are inputs, not answers
    assert verdicts["care_home_admission"]["verdict"] == "likely"
    assert verdicts["care_consumption_subsidy"]["verdict"] == "likely"
    assert verdicts["home_adaptation"]["verdict"] == "possible"
    assert result["sample"] is True  # the shipped figures are sample values
    assert all(r["citation"] for v in result["verdicts"] for r in v["reasons"])


@pytest.mark.parametrize(
    ("params", "body", "field"),
    [
        ({"on": "2026-13-01"}, {"members": [{"relation": "本人", "age": 70}]}, "on"),
        ({}, {"members": [{"relation": "本人", "age": 70, "needs_assessment_level": 9}]}, None),
        ({}, {"members": []}, None),
    ],
)
def test_benefits_bad_input(
    client: TestClient, params: dict[str, str], body: dict[str, Any], field: str | None
) -> None:
    answer = client.post("/api/eldercare/benefits", params=params, json=body)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    if field:
        assert detail[0]["loc"] == ["query", field]
    assert all("\u4e00" <= ch <= "\u9fff" for ch in detail[0]["msg"][:1])  # a Chinese message
