"""The fictitious households: realistic, valid, and findable from any member's ID number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from huimin import townships
from huimin.idcard import InvalidIdNumber, make_number, parse
from huimin.settings import Settings
from workflows.registry import (
    LocalRegistry,
    LocalVerifier,
    RegistryHousehold,
    RegistryMember,
    make_registry,
    make_verifier,
)
from workflows.registry.local import RegistryDataError, load_local_data

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def households() -> list[RegistryHousehold]:
    return list(load_local_data().households.values())


@pytest.fixture(scope="module")
def registry() -> LocalRegistry:
    return LocalRegistry()


def test_about_a_dozen_households_with_valid_ids(households: list[RegistryHousehold]) -> None:
    assert 10 <= len(households) <= 14
    numbers = [m.id_number for h in households for m in h.members]
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        info = parse(number, today=TODAY)  # check digit and birth date
        assert make_number(number[:6], info.birth_date, int(number[14:17])) == number
    for household in households:
        assert townships.by_code(household.hukou_township_code) is not None
        assert [m.relation for m in household.members].count("本人") == 1
        assert all("某" in m.name for m in household.members), "names must look fictitious"
        assert "示例" in household.address


def test_required_scenarios_are_present(households: list[RegistryHousehold]) -> None:
    members = [m for h in households for m in h.members]
    old_prefix_adults = [
        m
        for m in members
        if m.id_number.startswith("330183") and parse(m.id_number).age_on(TODAY) >= 18
    ]
    assert len(old_prefix_adults) >= 5
    assert any(m.id_number.startswith("330123") for m in members)  # 原富阳县
    assert any(m.id_number.startswith("330111") for m in members)  # children born after 2014
    assert any(not parse(m.id_number).registered_in_fuyang for m in members)  # married in
    assert any(m.disability_grade == 1 for m in members)
    elders_alone = [
        h
        for h in households
        if len(h.members) == 1 and parse(h.members[0].id_number).age_on(TODAY) >= 80
    ]
    assert elders_alone
    assert any(len(h.members) == 3 for h in households)
    assert {m.relation for m in members} >= {"本人", "配偶", "子女", "父母"}
    assert len({h.hukou_township_code for h in households}) >= 10


def test_any_member_finds_the_whole_household(
    registry: LocalRegistry, households: list[RegistryHousehold]
) -> None:
    for household in households:
        for member in household.members:
            assert registry.lookup(member.id_number) == household


def test_lookup_normalises_input(registry: LocalRegistry) -> None:
    # The head of the 3-person household H01, typed with spaces and a full-width digit.
    found = registry.lookup("330183 19780312 011６")
    assert found is not None
    assert found.hukou_township_code == "330111001000"
    assert [m.relation for m in found.members] == ["本人", "配偶", "子女"]


def test_unknown_person_is_none_and_bad_number_is_refused(registry: LocalRegistry) -> None:
    stranger = make_number("330111", dt.date(1990, 1, 1), 999)
    assert registry.lookup(stranger) is None
    with pytest.raises(InvalidIdNumber, match="校验位"):
        registry.lookup(stranger[:-1] + ("0" if stranger[-1] != "0" else "1"))
    with pytest.raises(InvalidIdNumber, match="18位"):
        registry.lookup("33011119900101")


def test_returned_household_is_a_copy(registry: LocalRegistry) -> None:
    first = registry.lookup("330183198107050227")
    assert first is not None
    first.members.clear()
    second = registry.lookup("330183198107050227")
    assert second is not None
    assert len(second.members) == 3


def test_verification_reports_wages_pensions_deposits_vehicles() -> None:
    moment = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
    verifier = LocalVerifier(clock=lambda: moment)
    registry = LocalRegistry()
    rich = registry.lookup("330183198212010913")  # H06, the over-the-limit control household
    assert rich is not None
    report = verifier.verify([m.id_number for m in rich.members])
    assert report.checked_at == moment
    kinds = {item.kind for item in report.items}
    assert kinds == {"wage", "vehicle", "deposit"}
    head = report.items_for("330183198212010913")
    wage = next(i for i in head if i.kind == "wage")
    assert wage.monthly_amount == 9800
    assert wage.value is None
    vehicle = next(i for i in head if i.kind == "vehicle")
    assert vehicle.value == 150000
    assert vehicle.monthly_amount is None
    # Pension of an elder; nothing for a child; same answer twice (deterministic).
    elder = registry.lookup("330123194111200422")
    assert elder is not None
    pension = verifier.verify([elder.members[0].id_number])
    assert [i.kind for i in pension.items] == ["pension", "deposit"]
    assert pension.items[0].monthly_amount == 310
    assert verifier.verify([m.id_number for m in rich.members]) == report


def test_verification_needs_valid_numbers() -> None:
    verifier = LocalVerifier()
    with pytest.raises(InvalidIdNumber, match="至少提供一个"):
        verifier.verify([])
    with pytest.raises(InvalidIdNumber):
        verifier.verify(["330183198107050227", "123"])
    child = "330111201609010316"
    assert verifier.verify([child, child]).items == []


def test_factories_choose_local_by_default() -> None:
    settings = Settings(_env_file=None)
    assert isinstance(make_registry(settings), LocalRegistry)
    assert isinstance(make_verifier(settings), LocalVerifier)


def test_http_provider_needs_a_base_url() -> None:
    settings = Settings(_env_file=None, registry_provider="http")
    with pytest.raises(ValueError, match="HUIMIN_REGISTRY_BASE_URL"):
        make_registry(settings)


def test_bad_data_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "households.yaml"
    path.write_text(
        "households:\n  - key: X\n    hukou_township_code: '330111999000'\n"
        "    address: a\n    members: []\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryDataError, match="不是富阳区的乡镇") as caught:
        LocalRegistry(path)
    assert str(path) in str(caught.value)


def test_mobiles_on_record_are_fictitious_and_never_public(registry: LocalRegistry) -> None:
    household = registry.lookup("330183197803120116")
    assert household is not None
    head = household.member("330183197803120116")
    assert head is not None
    assert head.mobile == "13900000001"
    assert all(m.mobile is None or m.mobile.startswith("1390000") for m in household.members)
    public = household.public_dump()
    assert all("mobile" not in member for member in public["members"])
    assert "13900000001" not in str(public)
    elder = registry.lookup("330123194111200422")
    assert elder is not None
    assert elder.members[0].mobile is None  # no mobile on record: SMS verification unavailable


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("+86 139-0000-0001", "13900000001"),
        ("13900000001", "13900000001"),
        ("0571-12345678", None),  # a landline cannot receive a code
        ("12345", None),
        (None, None),
    ],
)
def test_mobile_is_normalised_or_dropped(raw: str | None, kept: str | None) -> None:
    member = RegistryMember(
        relation="本人", name="某甲", id_number="330183197803120116", mobile=raw
    )
    assert member.mobile == kept
