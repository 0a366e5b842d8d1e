"""The elder-care vocabulary: kinds and services from people's words; "where is …" detection."""

from __future__ import annotations

import pytest

from huimin.eldercare import (
    FacilityKind,
    Service,
    kind_from_text,
    nearby_request,
    service_from_text,
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("居家养老服务照料中心", FacilityKind.CARE_CENTER),
        ("老年食堂/助餐点", FacilityKind.CANTEEN),
        ("敬老院", FacilityKind.CARE_HOME),
        ("care_home", FacilityKind.CARE_HOME),
        ("社会救助服务站", FacilityKind.ASSISTANCE_STATION),
        ("游泳馆", None),
    ],
)
def test_kind_from_text(text: str, kind: FacilityKind | None) -> None:
    assert kind_from_text(text) is kind


@pytest.mark.parametrize(
    ("text", "service"),
    [("助餐", Service.MEAL), ("洗澡", Service.BATH), ("meal", Service.MEAL), ("唱歌", None)],
)
def test_service_from_text(text: str, service: Service | None) -> None:
    assert service_from_text(text) is service


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("附近有老年食堂吗", (Service.MEAL, None)),
        ("失智老人去哪里照护", (Service.DEMENTIA_CARE, None)),
        ("新登镇附近的养老院在哪", (None, FacilityKind.CARE_HOME)),
        ("有送餐上门的吗", (Service.MEAL, None)),
        ("养老院一个月多少钱", (None, None)),  # a cost question: the knowledge base
        ("助浴服务怎么申请", (None, None)),
        ("老年人吃饭有补贴吗", (None, None)),
        ("时间银行怎么参加", (None, None)),  # no service kind named
    ],
)
def test_nearby_request(text: str, expected: tuple[Service | None, FacilityKind | None]) -> None:
    assert nearby_request(text) == expected
