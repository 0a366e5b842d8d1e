"""Table-driven tests of the household parser (workflows/household/parsing.py).

Each row is what a resident types and what the API must read from it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from workflows.household import parsing

AMOUNTS: list[tuple[str, list[int | float]]] = [
    ("3000", [3000]),
    ("３０００", [3000]),  # full-width digits
    ("三千", [3000]),
    ("三千五", [3500]),
    ("两千五", [2500]),
    ("两千五百", [2500]),
    ("一万二", [12000]),
    ("一万二千", [12000]),
    ("两万", [20000]),
    ("十五万", [150000]),
    ("八十二", [82]),
    ("一百零五", [105]),
    ("八百块", [800]),
    ("三千块钱", [3000]),
    ("2.5万", [25000]),
    ("1.5万", [15000]),
    ("１.５万", [15000]),  # full-width digits with a half-width point
    ("1万5", [15000]),
    ("3k", [3000]),
    ("2w", [20000]),
    ("贰仟伍佰", [2500]),  # formal numerals
    ("两仟", [2000]),  # 仟 for 千
    ("叁萬", [30000]),  # traditional 萬
    ("十", [10]),
    ("工资2000,养老金八百块,存款1.5万", [2000, 800, 15000]),
    ("一个月两千五", [2500]),  # 一个月 is a period, not an amount
    ("两千五一个月", [2500]),
    ("一年六千", [6000]),
    ("只有一套房", []),  # a count, not money
    ("两辆电动车", []),
    ("三口人", []),
    ("我72岁", []),
    ("肢体残疾二级", []),
    ("电话13805711234", []),  # a phone is not an amount
    ("身份证330183195503120211", []),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_amounts(text: str, expected: list[int | float]) -> None:
    assert parsing.numbers(text) == [Decimal(str(value)) for value in expected]


HOUSEHOLD = [
    {"relation": "本人", "name": "王芳"},
    {"relation": "配偶", "name": "李强"},
    {"relation": "子女", "name": "李小明"},
]
# text -> {member index: [(kind, monthly amount)]}; indexes past the household are added members
INCOMES: list[tuple[str, dict[int, list[tuple[str, float]]]]] = [
    ("老公打工,一个月两千五", {1: [("wage", 2500)]}),
    ("老公打工，一个月两千五", {1: [("wage", 2500)]}),  # full-width comma
    ("我老公打工一个月两千五", {1: [("wage", 2500)]}),
    ("退休金3000,老伴没收入", {0: [("pension", 3000)]}),
    ("我退休金每月三千五", {0: [("pension", 3500)]}),
    ("退休金2000,儿子打工一个月3000", {0: [("pension", 2000)], 2: [("wage", 3000)]}),
    ("李强打零工一个月一千五", {1: [("wage", 1500)]}),  # by name
    ("小明上班,工资四千", {2: [("wage", 4000)]}),  # by the given name
    ("种地一年六千", {0: [("business", 500)]}),
    ("老伴种田一年一万二", {1: [("business", 1000)]}),
    ("我有低保金八百", {0: [("relief", 800)]}),
    ("抚恤金每月一千二", {0: [("fuxu", 1200)]}),
    ("基础养老金两百", {0: [("pension_basic", 200)]}),
    ("高龄津贴一百", {0: [("pension_allowance_exempt", 100)]}),
    ("房租一个月八百", {0: [("property", 800)]}),
    ("儿子每月给我五百生活费", {0: [("transfer", 500)]}),  # the applicant receives it
    ("打工一天一百", {0: [("wage", 3000)]}),
    ("工资2000", {0: [("wage", 2000)]}),
    ("月收入１５００", {0: [("wage", 1500)]}),
    ("老婆摆摊一个月两千,我退休金三千", {1: [("business", 2000)], 0: [("pension", 3000)]}),
    ("女儿在读书,老公开店一年三万六", {1: [("business", 3000)]}),
    ("老公打工挣两仟伍", {1: [("wage", 2500)]}),  # 仟 typed for 千
    ("女婿每月给我们一千,他自己打工挣五千", {0: [("transfer", 1000)], 3: [("wage", 5000)]}),
]


@pytest.mark.parametrize(("text", "expected"), INCOMES)
def test_incomes_land_on_the_member_named(
    text: str, expected: dict[int, list[tuple[str, float]]]
) -> None:
    result = parsing.incomes(text, HOUSEHOLD)
    got = {
        index: [(income["kind"], float(income["monthly_amount"])) for income in member["incomes"]]
        for index, member in enumerate(result.members)
        if member["incomes"]
    }
    assert got == {index: [(k, float(v)) for k, v in rows] for index, rows in expected.items()}
    assert [m["name"] for m in result.members[:3]] == ["王芳", "李强", "李小明"]


def test_a_spouse_not_yet_in_the_household_is_added() -> None:
    result = parsing.incomes("老公打工,一个月两千五", [{"relation": "本人", "name": "王芳"}])
    assert [m["relation"] for m in result.members] == ["本人", "配偶"]
    assert result.members[1]["added"] is True
    assert result.members[1]["incomes"][0]["monthly_amount"] == Decimal("2500.00")
    assert result.members[0]["incomes"] == []


def test_without_members_the_applicant_is_added() -> None:
    result = parsing.incomes("退休金3000")
    assert result.members[0]["relation"] == "本人"
    assert result.members[0]["incomes"][0]["kind"] == "pension"


@pytest.mark.parametrize("text", ["没有收入", "没有", "无", "都没有", "没有工作"])
def test_no_income(text: str) -> None:
    result = parsing.incomes(text, HOUSEHOLD)
    assert result.nothing is True
    assert result.understood() is True
    assert all(m["incomes"] == [] for m in result.members)


@pytest.mark.parametrize("text", ["不知道", "看情况", "?"])
def test_unreadable_income(text: str) -> None:
    assert parsing.incomes(text, HOUSEHOLD).understood() is False


PROPERTY: list[tuple[str, list[dict[str, Any]]]] = [
    ("只有一套自住房", [{"kind": "house", "value": 0, "only_home": True}]),
    ("就一套房子自己住", [{"kind": "house", "value": 0, "only_home": True}]),
    ("存款1万,没有车", [{"kind": "deposit", "value": 10000, "only_home": False}]),
    ("存款两万五", [{"kind": "deposit", "value": 25000, "only_home": False}]),
    ("银行里有１.５万", [{"kind": "deposit", "value": 15000, "only_home": False}]),
    ("有一辆车值三万", [{"kind": "vehicle", "value": 30000, "only_home": False}]),
    ("还有一套房出租,值80万", [{"kind": "house", "value": 800000, "only_home": False}]),
    ("存款三千,一套自住房,一辆电动车",
     [{"kind": "deposit", "value": 3000, "only_home": False},
      {"kind": "house", "value": 0, "only_home": True},
      {"kind": "vehicle", "value": 0, "only_home": False}]),
    ("股票五千", [{"kind": "other", "value": 5000, "only_home": False}]),
]


@pytest.mark.parametrize(("text", "expected"), PROPERTY)
def test_property(text: str, expected: list[dict[str, Any]]) -> None:
    items = parsing.property_items(text).property
    assert [{k: item[k] for k in ("kind", "value", "only_home")} for item in items] == [
        {**row, "value": Decimal(row["value"])} for row in expected
    ]


@pytest.mark.parametrize("text", ["没有", "没有存款、车和其他房产", "都没有", "无"])
def test_no_property(text: str) -> None:
    result = parsing.property_items(text)
    assert (result.property, result.nothing) == ([], True)


EXPENSES: list[tuple[str, list[tuple[str, int]]]] = [
    ("看病一年花了3万", [("medical", 30000)]),
    ("住院花了两万", [("medical", 20000)]),
    ("每个月吃药八百", [("medical", 9600)]),
    ("孩子学费一年五千", [("education", 5000)]),
    ("康复训练一个月一千", [("disability", 12000)]),
    ("医疗一万二,上学三千", [("medical", 12000), ("education", 3000)]),
    ("生活开销一年两万", [("basic_living", 20000)]),
]


@pytest.mark.parametrize(("text", "expected"), EXPENSES)
def test_expenditures(text: str, expected: list[tuple[str, int]]) -> None:
    found = parsing.expenditures(text).expenditures
    assert [(item["kind"], item["annual_amount"]) for item in found] == [
        (kind, Decimal(amount)) for kind, amount in expected
    ]


@pytest.mark.parametrize("text", ["没有", "没什么大的开支"])
def test_no_expenditures(text: str) -> None:
    result = parsing.expenditures(text)
    assert (result.expenditures, result.nothing) == ([], True)


MEMBERS: list[tuple[str, dict[str, Any]]] = [
    ("女儿张小丽,330111201602290263,肢体残疾二级",
     {"relation": "子女", "name": "张小丽", "id_number": "330111201602290263",
      "disability_category": "肢体", "disability_grade": 2}),
    ("老伴李秀英 330183195608150424",
     {"relation": "配偶", "name": "李秀英", "id_number": "330183195608150424"}),
    ("儿子 张三 11010119900101123x",
     {"relation": "子女", "name": "张三", "id_number": "11010119900101123X"}),
    ("我妈王桂花,今年八十岁,眼睛看不见",
     {"relation": "父母", "name": "王桂花", "age": 80, "disability_category": "视力"}),
    ("孙子张乐乐在读小学,１２岁",
     {"relation": "其他", "name": "张乐乐", "age": 12, "in_school": True}),
    ("老公刘大伟得了尿毒症",
     {"relation": "配偶", "name": "刘大伟", "serious_illness": True}),
]


@pytest.mark.parametrize(("text", "expected"), MEMBERS)
def test_member(text: str, expected: dict[str, Any]) -> None:
    result = parsing.member(text)
    member = result.members[0]
    assert {key: member[key] for key in expected} == expected
    assert result.not_understood == []


def test_member_without_a_relation_says_so() -> None:
    result = parsing.member("张三 330111201602290263")
    assert result.members[0]["relation"] is None
    assert result.not_understood == ["没有看出是哪位家人(如:老伴、儿子、女儿)"]


ILL_MEMBERS = [
    {"relation": "本人", "name": "张建国"},
    {"relation": "配偶", "name": "李秀英"},
    {"relation": "子女", "name": "张小明"},
]


@pytest.mark.parametrize(
    ("text", "ill"),
    [
        ("她有病", ["配偶"]),
        ("老伴尿毒症，每周透析", ["配偶"]),
        ("李秀英得了癌症", ["配偶"]),
        ("儿子住院做手术了", ["子女"]),
        ("我自己有心脏病，老伴也有高血压", ["本人", "配偶"]),
        ("我有糖尿病", ["本人"]),
    ],
)
def test_illness_lands_on_the_member_named(text: str, ill: list[str]) -> None:
    result = parsing.illnesses(text, ILL_MEMBERS)
    assert [m["relation"] for m in result.members if m["serious_illness"]] == ill
    assert result.understood()


@pytest.mark.parametrize("text", ["没有", "都没有大病", "没人生病"])
def test_nobody_ill(text: str) -> None:
    result = parsing.illnesses(text, ILL_MEMBERS)
    assert result.nothing
    assert not any(m["serious_illness"] for m in result.members)


SHARED_HOUSEHOLD = [{"relation": "本人", "name": "张建国"}, {"relation": "配偶", "name": "李秀英"}]


@pytest.mark.parametrize(
    ("text", "shared"),
    [
        ("全家每月收入两千", True),
        ("我们家一个月加起来三千", True),
        ("家里总共两千五", True),
        ("退休金2000", False),  # nobody named: the applicant's, not the household's
        ("我家老伴打工两千", False),  # 我家 is not the household's figure: the spouse is named
        ("老伴退休金两千", False),
    ],
)
def test_a_household_figure_is_marked(text: str, shared: bool) -> None:
    members = parsing.incomes(text, SHARED_HOUSEHOLD).members
    incomes = [(m["relation"], i["household"]) for m in members for i in m["incomes"]]
    assert len(incomes) == 1
    relation, marked = incomes[0]
    assert marked is shared
    if shared:
        assert relation == "本人"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("老伴的", [False, True]),
        ("是李秀英的", [False, True]),
        ("我自己的", [True, False]),
        ("我和老伴", [True, True]),
        ("两个人都有", [True, True]),
        ("不知道", [False, False]),
    ],
)
def test_who_names_the_member(text: str, named: list[bool]) -> None:
    result = parsing.who(text, SHARED_HOUSEHOLD)
    assert [m["named"] for m in result.members] == named
    assert result.understood() is any(named)
