"""One household vocabulary: every application the API accepts can be pre-screened as stored.

Bodies at the bounds (table-driven) and generated bodies (hypothesis) go through the real API on
SQLite and PostgreSQL; each accepted application is read back, turned into the pre-screening's
household by ``household_from_application`` and pre-screened.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from huimin.idcard import make_number
from huimin.programs import Program
from huimin.townships import all_townships
from workflows.applications.models import Application, HouseholdMember
from workflows.applications.schemas import ApplicationIn
from workflows.eligibility.engine import prescreen
from workflows.eligibility.from_application import household_from_application
from workflows.eligibility.rules import load_rules
from workflows.eligibility.schemas import HouseholdIn
from workflows.eligibility.standards import load_standards
from workflows.household.bounds import (
    MAX_AMOUNT,
    MAX_EXPENDITURES,
    MAX_INCOMES_PER_MEMBER,
    MAX_MEMBERS,
    MAX_NAME_LENGTH,
    MAX_PROPERTY_ITEMS,
    MIN_BIRTH_YEAR,
)
from workflows.household.enums import (
    DisabilityCategory,
    ExpenditureKind,
    IncomeKind,
    PropertyKind,
    Relation,
)
from workflows.validation import validation_context

Body = Callable[..., dict[str, Any]]
TODAY = dt.date(2026, 11, 2)  # the tests' clock (tests/conftest.py START)
FUCHUN = "330111001000"
CODES = [t.code for t in all_townships()]
TOP = float(MAX_AMOUNT)


def _id(birth: dt.date, seq: int) -> str:
    return make_number("330111", birth, seq)


def _member(relation: str, seq: int, **fields: Any) -> dict[str, Any]:
    return {
        "relation": relation,
        "name": f"成员{seq}",
        "id_number": _id(dt.date(1960, 1, 1) + dt.timedelta(days=seq), seq),
        **fields,
    }


def _household(applicant: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "applicant": {"name": applicant["name"], "id_number": applicant["id_number"]},
        "members": [applicant, *others],
    }


def _stored(app: FastAPI, number: str) -> Application:
    with app.state.session_factory() as session:
        application = session.scalar(
            select(Application)
            .where(Application.number == number)
            .options(
                selectinload(Application.members).selectinload(HouseholdMember.incomes),
                selectinload(Application.property_items),
                selectinload(Application.expenditures),
            )
        )
        assert application is not None
        session.expunge_all()
        return application


def _prescreen_stored(app: FastAPI, answer: dict[str, Any]) -> HouseholdIn:
    """The accepted application, read back and pre-screened: every program gets a verdict."""
    stored = _stored(app, answer["number"])
    household = household_from_application(stored, today=TODAY, programs=answer["programs"])
    result = prescreen(household, on=TODAY, standards=load_standards(), rules=load_rules())
    assert [v.program.value for v in result.verdicts] == answer["programs"]
    assert all(
        v.verdict in ("likely", "possible", "unlikely") and v.reasons for v in result.verdicts
    )
    return household


def _all_kinds_member(seq: int) -> dict[str, Any]:
    kinds = list(IncomeKind)
    return _member(
        "本人",
        seq,
        incomes=[
            {"kind": kinds[i % len(kinds)], "monthly_amount": TOP if i == 0 else i + 0.01}
            for i in range(MAX_INCOMES_PER_MEMBER)
        ],
    )


BOUNDS: dict[str, Callable[[], dict[str, Any]]] = {
    "applicant alone, no members listed": lambda: {
        "applicant": {"name": "张三", "id_number": _id(dt.date(1950, 1, 1), 11)},
        "members": [],
    },
    "largest amounts everywhere": lambda: {
        **_household(
            _member("本人", 1, incomes=[{"kind": "wage", "monthly_amount": TOP}]),
            [_member("配偶", 2, incomes=[{"kind": "fuxu", "monthly_amount": "9999999.99"}])],
        ),
        "property": [{"kind": k, "value": TOP, "note": "注" * 500} for k in PropertyKind],
        "expenditures": [{"kind": k, "annual_amount": TOP} for k in ExpenditureKind],
    },
    "zero amounts and fen": lambda: {
        **_household(
            _member("本人", 3, incomes=[{"kind": "wage", "monthly_amount": 0}]),
            [_member("子女", 4, incomes=[{"kind": "pension", "monthly_amount": 0.01}])],
        ),
        "property": [{"kind": "deposit", "value": 0.1 + 0.2}],
        "expenditures": [{"kind": "medical", "annual_amount": "1234.5"}],
    },
    "most members, every relation, category and grade": lambda: _household(
        _member("本人", 10, disability_category="肢体", disability_grade=1),
        [
            _member(
                list(Relation)[1 + i % 4],
                11 + i,
                disability_category=list(DisabilityCategory)[i % len(DisabilityCategory)],
                disability_grade=1 + i % 4,
                serious_illness=i % 2 == 0,
                in_school=i % 3 == 0,
            )
            for i in range(MAX_MEMBERS - 1)
        ],
    ),
    "most incomes of every kind": lambda: _household(_all_kinds_member(40), []),
    "most property items and expenditures": lambda: {
        **_household(_member("本人", 41), []),
        "property": [
            {"kind": list(PropertyKind)[i % 4], "value": i * 1000}
            for i in range(MAX_PROPERTY_ITEMS)
        ],
        "expenditures": [
            {"kind": list(ExpenditureKind)[i % 4], "annual_amount": i * 100}
            for i in range(MAX_EXPENDITURES)
        ],
    },
    "oldest and newest ID numbers, longest names": lambda: _household(
        {
            "relation": "本人",
            "name": "长" * MAX_NAME_LENGTH,
            "id_number": _id(dt.date(MIN_BIRTH_YEAR, 1, 1), 50),
        },
        [{"relation": "子女", "name": "新生儿", "id_number": _id(TODAY, 51)}],
    ),
    "hukou outside the district, living here with a permit": lambda: {
        **_household(_member("本人", 60), [_member("其他", 61)]),
        "hukou_township_code": None,
        "hukou_region_text": "安徽省歙县",
        "residence_township_code": FUCHUN,
        "has_residence_permit": True,
        "programs": ["temporary", "medical"],
    },
}


@pytest.mark.parametrize("case", list(BOUNDS))
def test_every_application_at_the_bounds_is_accepted_and_prescreens(
    client: TestClient, app: FastAPI, internal: dict[str, str], body: Body, case: str
) -> None:
    data = body(**BOUNDS[case]())
    answer = client.post("/api/applications", json=data, headers=internal)
    assert answer.status_code == 201, answer.text
    household = _prescreen_stored(app, answer.json())
    members = data["members"] or [{**data["applicant"], "relation": "本人", "incomes": []}]
    assert [m.relation.value for m in household.members] == [m["relation"] for m in members]
    assert [m.id_number for m in household.members] == [m["id_number"] for m in members]
    sent = [Decimal(str(i["monthly_amount"])) for m in members for i in m.get("incomes", [])]
    kept = [i.monthly_amount for m in household.members for i in m.incomes]
    assert kept == [amount.quantize(Decimal("0.01")) for amount in sent]
    assert [p.value for p in household.property] == [
        Decimal(str(p["value"])).quantize(Decimal("0.01")) for p in data["property"]
    ]


@pytest.mark.parametrize(
    ("where", "value", "fragment"),
    [
        ("income", "10000000.01", "10,000,000"),
        ("income", 1e8, "10,000,000"),  # the application's old limit, 10× the pre-screening's
        ("income", -0.01, "不能为负数"),
        ("property", "NaN", "数字"),
        ("members", MAX_MEMBERS + 1, "最多30项"),
        ("incomes", MAX_INCOMES_PER_MEMBER + 1, "最多20项"),
        ("grade", 5, "1、2、3或4级"),
        ("name", "长" * (MAX_NAME_LENGTH + 1), "最多60个字符"),
    ],
)
def test_just_beyond_the_bounds_is_refused_by_both(
    client: TestClient, internal: dict[str, str], body: Body, where: str, value: Any, fragment: str
) -> None:
    data = body()
    self_member = data["members"][0]
    if where == "income":
        self_member["incomes"][0]["monthly_amount"] = value
    elif where == "property":
        data["property"][0]["value"] = value
    elif where == "members":
        data["members"] += [_member("子女", 100 + i) for i in range(value - len(data["members"]))]
    elif where == "incomes":
        self_member["incomes"] = [{"kind": "wage", "monthly_amount": 1}] * value
    elif where == "grade":
        self_member["disability_category"], self_member["disability_grade"] = "肢体", value
    elif where == "name":
        self_member["name"] = value
    answer = client.post("/api/applications", json=data, headers=internal)
    assert answer.status_code == 422, answer.text
    api_messages = " ".join(d["msg"] for d in answer.json()["detail"])
    assert fragment in api_messages
    prescreened = client.post("/api/eligibility/prescreen", json=data)
    assert prescreened.status_code == 422, prescreened.text
    assert fragment in " ".join(d["msg"] for d in prescreened.json()["detail"])


# Generated applications -------------------------------------------------------------------------
amounts = st.one_of(
    st.sampled_from([0, 0.01, 9999999.99, TOP, "10000000.00", 0.1 + 0.2]),
    st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2).map(str),
    st.floats(min_value=0, max_value=TOP, allow_nan=False),
)
incomes = st.lists(
    st.fixed_dictionaries({"kind": st.sampled_from(list(IncomeKind)), "monthly_amount": amounts}),
    max_size=MAX_INCOMES_PER_MEMBER,
)
births = st.dates(min_value=dt.date(MIN_BIRTH_YEAR, 1, 1), max_value=TODAY)


@st.composite
def applications(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(min_value=0, max_value=MAX_MEMBERS))
    members = []
    for index in range(size):
        category = draw(st.none() | st.sampled_from(list(DisabilityCategory)))
        members.append(
            {
                "relation": "本人" if index == 0 else draw(st.sampled_from(list(Relation)[1:])),
                "name": draw(st.text("张王李赵刘陈杨黄", min_size=1, max_size=MAX_NAME_LENGTH)),
                "id_number": _id(draw(births), index),
                "disability_category": category,
                "disability_grade": None if category is None else draw(st.integers(1, 4)),
                "serious_illness": draw(st.booleans()),
                "in_school": draw(st.booleans()),
                "incomes": draw(incomes),
            }
        )
    applicant_id = members[0]["id_number"] if members else _id(draw(births), 99)
    hukou = draw(st.sampled_from(CODES))  # outside the district: routing decides (BOUNDS)
    return {
        "channel": "telegram",
        "channel_user_id": "10001",
        "consent_verification": True,
        "applicant": {"name": "申请人", "id_number": applicant_id},
        "hukou_township_code": hukou,
        "residence_township_code": draw(st.sampled_from(CODES)),
        "has_residence_permit": draw(st.booleans()),
        "programs": draw(
            st.lists(st.sampled_from([p.value for p in Program]), min_size=1, unique=True)
        ),
        "members": members,
        "property": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"kind": st.sampled_from(list(PropertyKind)), "value": amounts}
                ),
                max_size=5,
            )
        ),
        "expenditures": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"kind": st.sampled_from(list(ExpenditureKind)), "annual_amount": amounts}
                ),
                max_size=5,
            )
        ),
    }


@settings(max_examples=100, deadline=None)
@given(applications())
def test_every_valid_application_body_is_a_valid_household(data: dict[str, Any]) -> None:
    """In-process: what ApplicationIn accepts, HouseholdIn accepts as is, and pre-screens.

    (An application without members is the applicant alone: ``ApplicationIn.household()``.)
    """
    context = validation_context(TODAY)
    application = ApplicationIn.model_validate(data, context=context)
    assert application.cross_field_problems() == []
    alone = [{"relation": "本人", **data["applicant"]}]
    household = HouseholdIn.model_validate(
        {**data, "members": data["members"] or alone}, context=context
    )
    assert [m.id_number for m in household.members] == [
        m.id_number for m in application.household()
    ]
    result = prescreen(household, on=TODAY, standards=load_standards(), rules=load_rules())
    assert [v.program for v in result.verdicts] == application.programs


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=applications())
def test_every_application_the_api_accepts_prescreens(
    client: TestClient, app: FastAPI, internal: dict[str, str], data: dict[str, Any]
) -> None:
    answer = client.post("/api/applications", json=data, headers=internal)
    assert answer.status_code == 201, answer.text
    _prescreen_stored(app, answer.json())


# The app's clock, not the wall clock --------------------------------------------------------------
def test_birth_dates_are_judged_on_the_app_clock(
    client: TestClient, internal: dict[str, str], body: Body, clock: Any
) -> None:
    born = TODAY + dt.timedelta(days=3)  # before the machine's date, after the app's today
    data = body()
    data["members"][1]["id_number"] = _id(born, 7)
    answer = client.post("/api/applications", json=data, headers=internal)
    assert answer.status_code == 422
    assert (
        "晚于今天"
        in {tuple(d["loc"]): d["msg"] for d in answer.json()["detail"]}[
            ("body", "members", 1, "id_number")
        ]
    )
    household = {"members": [{"relation": "本人", "id_number": _id(born, 7)}]}
    assert client.post("/api/eligibility/prescreen", json=household).status_code == 422
    clock.advance(days=3)
    assert client.post("/api/applications", json=data, headers=internal).status_code == 201
    assert client.post("/api/eligibility/prescreen", json=household).status_code == 200


def test_prescreening_defaults_to_the_app_clocks_day(client: TestClient, clock: Any) -> None:
    household = {"hukou_township_code": FUCHUN, "members": [{"relation": "本人", "age": 70}]}
    before = client.post("/api/eligibility/prescreen", json=household).json()
    assert before["standards_used"]["on"] == TODAY.isoformat()
    clock.set(dt.datetime(2025, 6, 30, 23, 0, tzinfo=dt.UTC))  # 2025-07-01 in Beijing
    after = client.post("/api/eligibility/prescreen", json=household).json()
    assert after["standards_used"]["on"] == "2025-07-01"
    standards = client.get("/api/eligibility/standards").json()
    assert standards["on"] == "2025-07-01"


# The case page ------------------------------------------------------------------------------------
def test_case_page_shows_the_prescreening_of_the_stored_household(
    client: TestClient, internal: dict[str, str], body: Body, staff_users: None
) -> None:
    data = body(expenditures=[])
    data["members"][0]["incomes"] = [{"kind": "wage", "monthly_amount": 100}]
    answer = client.post("/api/applications", json=data, headers=internal)
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["cases"][0]["id"]
    login = client.post(
        "/staff/login",
        data={"username": "rev_fuchun", "password": "test-password-1"},
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    page = client.get(f"/staff/cases/{case_id}").text
    section = page[page.index('class="card eligibility"') :]
    section = section[: section.index("</section>")]
    verdict = re.search(r'class="verdict verdict-(\w+)">([^<]+)<', section)
    assert verdict is not None, section
    # 100 yuan for two people (the spouse's 抚恤金 is not counted) is far below the 低保 line
    assert verdict.groups() == ("likely", "最低生活保障(低保):可能符合")
    assert "人均月收入 50 元" in section


def test_case_page_shows_the_only_home_and_the_own_income(
    client: TestClient, internal: dict[str, str], body: Body, staff_users: None
) -> None:
    data = body(
        programs=["tekun"],
        property=[
            {"kind": "house", "only_home": True, "note": "只有一套自住房"},
            {"kind": "deposit", "value": 3000},
        ],
    )
    data["members"][0]["incomes"] = [
        {"kind": "wage", "monthly_amount": 2000, "note": "全家收入,未说明是哪位成员的"}
    ]
    data["members"][0]["own_income_monthly"] = 300
    answer = client.post("/api/applications", json=data, headers=internal)
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["cases"][0]["id"]
    login = client.post(
        "/staff/login",
        data={"username": "rev_fuchun", "password": "test-password-1"},
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    page = client.get(f"/staff/cases/{case_id}").text
    assert "财产:唯一自住房;存款 3000.00元" in page
    assert "房产 0.00元" not in page
    assert "(全家收入,未说明是哪位成员的)" in page
    assert "本人月收入(特困认定用) 300.00元" in page
