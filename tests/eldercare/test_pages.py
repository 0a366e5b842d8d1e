"""/staff/eldercare: search, coverage with the generated map, and the supervisor's CSV import."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from huimin.settings import Settings
from workflows.cli.eldercare import coverage_map
from workflows.eldercare import importer
from workflows.eldercare.communities import load_communities

PASSWORD = "test-password-1"


@pytest.fixture
def page_login(
    client: TestClient, login: Callable[[str], dict[str, str]]
) -> Callable[[str], TestClient]:
    def go(username: str) -> TestClient:
        client.cookies.clear()
        answer = client.post(
            "/staff/login",
            data={"username": username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return client

    return go


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


@pytest.mark.usefixtures("sample_directory")
def test_search_and_coverage_show_the_sample_label(
    page_login: Callable[[str], TestClient], api_settings: Settings
) -> None:
    client = page_login("adviser")
    page = client.get("/staff/eldercare")
    assert page.status_code == 200
    assert "示例数据(虚构)" in page.text
    assert "覆盖图尚未生成" in page.text
    assert 'id="import"' not in page.text  # advisers read, never import
    community = load_communities()[0]
    found = client.get("/staff/eldercare", params={"place": community.name, "service": "meal"})
    assert "附近 15 分钟步行范围内" in found.text
    assert "0571-0" in found.text  # every hit shows its phone number
    assert coverage_map(api_settings, None) == 0
    assert "/staff/eldercare/coverage.svg" in client.get("/staff/eldercare").text
    svg = client.get("/staff/eldercare/coverage.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "示例数据(虚构)" in svg.text
    assert "富春街道" in svg.text  # township labels


def test_supervisor_imports_through_the_page(
    page_login: Callable[[str], TestClient], app: FastAPI
) -> None:
    client = page_login("super")
    csrf = csrf_of(client.get("/staff/eldercare").text)
    header = ",".join(importer.HEADERS.values())
    good = (
        "P-1,页面食堂(示例),老年食堂,富春街道,示例社区,示例路1号,30.05,119.95,"
        "每日 11:00-12:30,助餐,,0571-00000001,示例单位,2026-11-30,是,,,"
    )
    bad = good.replace("P-1", "P-2").replace("30.05", "北纬30度")
    data = f"{header}\n{good}\n{bad}\n".encode()
    refused = client.post(
        "/staff/eldercare/import",
        data={"csrf": csrf, "mode": "all"},
        files={"file": ("x.csv", data, "text/csv")},
    )
    assert refused.status_code == 422
    assert "整个文件未导入" in refused.text
    assert "第3行〔纬度〕" in refused.text
    kept = client.post(
        "/staff/eldercare/import",
        data={"csrf": csrf, "mode": "partial"},
        files={"file": ("x.csv", data, "text/csv")},
    )
    assert kept.status_code == 200
    assert "新增1个" in kept.text
    no_csrf = client.post(
        "/staff/eldercare/import", data={"mode": "all"}, files={"file": ("x.csv", data)}
    )
    assert no_csrf.status_code == 403


def test_reviewer_cannot_import_through_the_page(
    page_login: Callable[[str], TestClient],
) -> None:
    client = page_login("rev_fuchun")
    csrf = csrf_of(client.get("/staff/adviser").text)
    answer = client.post(
        "/staff/eldercare/import",
        data={"csrf": csrf},
        files={"file": ("x.csv", b"a,b\n", "text/csv")},
    )
    assert answer.status_code == 403
    assert "只有区级督导" in answer.text
