"""Facility kinds and services of the elder-care directory (standard library only: the API and
the dialogue share it).

The kinds are the facilities the district plan names ([PLAN] 三(二) 5–8): 居家养老服务照料中心,
老年食堂/助餐点, 助浴点, 睦邻点 (rural day care), 养老机构 (with 失智照护专区 and 护理型床位),
康养联合体 members, 社区卫生服务中心, 养老顾问 points and 社会救助服务站. The services are the
plan's 助餐、助浴、助急、助医、助行、助洁 plus day care, dementia care, nursing, rehabilitation,
advice and social assistance.
"""

from __future__ import annotations

from enum import StrEnum


class FacilityKind(StrEnum):
    CARE_CENTER = "care_center"
    CANTEEN = "canteen"
    BATH_POINT = "bath_point"
    NEIGHBOUR_POINT = "neighbour_point"
    CARE_HOME = "care_home"
    KANGYANG_MEMBER = "kangyang_member"
    HEALTH_CENTER = "health_center"
    ADVISER_POINT = "adviser_point"
    ASSISTANCE_STATION = "assistance_station"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[FacilityKind, str] = {
    FacilityKind.CARE_CENTER: "居家养老服务照料中心",
    FacilityKind.CANTEEN: "老年食堂/助餐点",
    FacilityKind.BATH_POINT: "助浴点",
    FacilityKind.NEIGHBOUR_POINT: "睦邻点(农村日间照料)",
    FacilityKind.CARE_HOME: "养老机构",
    FacilityKind.KANGYANG_MEMBER: "康养联合体成员单位",
    FacilityKind.HEALTH_CENTER: "社区卫生服务中心",
    FacilityKind.ADVISER_POINT: "养老顾问点",
    FacilityKind.ASSISTANCE_STATION: "社会救助服务站",
}

# Words people use for each kind (import files, the dialogue): longest match wins.
KIND_ALIASES: dict[FacilityKind, tuple[str, ...]] = {
    FacilityKind.CARE_CENTER: (
        "居家养老服务照料中心",
        "照料中心",
        "居家养老服务中心",
        "日间照料中心",
    ),
    FacilityKind.CANTEEN: ("老年食堂", "助餐点", "老年餐桌", "长者食堂", "食堂"),
    FacilityKind.BATH_POINT: ("助浴点", "助浴"),
    FacilityKind.NEIGHBOUR_POINT: ("睦邻点", "农村日间照料"),
    FacilityKind.CARE_HOME: ("养老机构", "养老院", "敬老院", "福利院", "护理院"),
    FacilityKind.KANGYANG_MEMBER: ("康养联合体", "医康养联合体", "康养联合体成员单位"),
    FacilityKind.HEALTH_CENTER: ("社区卫生服务中心", "卫生院", "卫生服务站"),
    FacilityKind.ADVISER_POINT: ("养老顾问点", "养老顾问"),
    FacilityKind.ASSISTANCE_STATION: ("社会救助服务站", "救助服务站", "救助站"),
}


class Service(StrEnum):
    MEAL = "meal"
    BATH = "bath"
    EMERGENCY = "emergency"
    MEDICAL = "medical"
    MOBILITY = "mobility"
    CLEANING = "cleaning"
    DAY_CARE = "day_care"
    DEMENTIA_CARE = "dementia_care"
    NURSING = "nursing"
    REHAB = "rehab"
    ADVICE = "advice"
    ASSISTANCE = "assistance"

    @property
    def label(self) -> str:
        return SERVICE_LABELS[self]


SERVICE_LABELS: dict[Service, str] = {
    Service.MEAL: "助餐",
    Service.BATH: "助浴",
    Service.EMERGENCY: "助急",
    Service.MEDICAL: "助医",
    Service.MOBILITY: "助行",
    Service.CLEANING: "助洁",
    Service.DAY_CARE: "日间照料",
    Service.DEMENTIA_CARE: "失智照护",
    Service.NURSING: "护理",
    Service.REHAB: "康复",
    Service.ADVICE: "养老顾问",
    Service.ASSISTANCE: "社会救助",
}

SERVICE_ALIASES: dict[Service, tuple[str, ...]] = {
    Service.MEAL: ("助餐", "吃饭", "老年食堂", "送餐", "就餐"),
    Service.BATH: ("助浴", "洗澡"),
    Service.EMERGENCY: ("助急", "紧急呼叫", "急救"),
    Service.MEDICAL: ("助医", "看病", "配药", "医疗"),
    Service.MOBILITY: ("助行", "出行", "陪同"),
    Service.CLEANING: ("助洁", "打扫", "保洁"),
    Service.DAY_CARE: ("日间照料", "日托", "白天照顾"),
    Service.DEMENTIA_CARE: ("失智照护", "失智", "认知症", "老年痴呆"),
    Service.NURSING: ("护理", "护理型床位"),
    Service.REHAB: ("康复",),
    Service.ADVICE: ("养老顾问", "咨询"),
    Service.ASSISTANCE: ("社会救助", "救助"),
}

# The services the plan's 15-minute circle should offer every community ([PLAN] 三(二) 5:
# "建立15分钟养老服务圈 … 大力发展助餐、助浴、助急、助医、助行、助洁等服务").
CIRCLE_TARGET_SERVICES: tuple[Service, ...] = (
    Service.MEAL,
    Service.BATH,
    Service.EMERGENCY,
    Service.MEDICAL,
    Service.MOBILITY,
    Service.CLEANING,
)


def _match(text: str, aliases: dict[str, tuple[str, ...]]) -> str | None:
    value = text.strip()
    pairs = [(alias, code) for code, words in aliases.items() for alias in (code, *words)]
    for alias, code in sorted(pairs, key=lambda pair: -len(pair[0])):
        if alias and alias in value:
            return code
    return None


def kind_from_text(text: str) -> FacilityKind | None:
    """A facility kind from its code, label or a word people use (longest alias first)."""
    value = text.strip()
    if value in FacilityKind._value2member_map_:
        return FacilityKind(value)
    for kind, label in KIND_LABELS.items():
        if value == label:
            return kind
    found = _match(value, {k.value: v for k, v in KIND_ALIASES.items()})
    return FacilityKind(found) if found else None


def service_from_text(text: str) -> Service | None:
    """A service from its code, label or a word people use (longest alias first)."""
    value = text.strip()
    if value in Service._value2member_map_:
        return Service(value)
    found = _match(value, {s.value: (SERVICE_LABELS[s], *w) for s, w in SERVICE_ALIASES.items()})
    return Service(found) if found else None


# The dialogue: what a resident's message asks to find nearby -----------------------------------
# Facility words searched as a kind; everything else as a service (a canteen question should
# also find the care centres that serve meals).
_KIND_WORDS: tuple[tuple[str, FacilityKind], ...] = (
    ("养老院", FacilityKind.CARE_HOME),
    ("敬老院", FacilityKind.CARE_HOME),
    ("养老机构", FacilityKind.CARE_HOME),
    ("福利院", FacilityKind.CARE_HOME),
    ("护理院", FacilityKind.CARE_HOME),
    ("养老顾问", FacilityKind.ADVISER_POINT),
    ("卫生服务中心", FacilityKind.HEALTH_CENTER),
    ("卫生院", FacilityKind.HEALTH_CENTER),
    ("救助服务站", FacilityKind.ASSISTANCE_STATION),
    ("救助站", FacilityKind.ASSISTANCE_STATION),
    ("康养联合体", FacilityKind.KANGYANG_MEMBER),
    ("睦邻点", FacilityKind.NEIGHBOUR_POINT),
)
_SERVICE_WORDS: tuple[tuple[str, Service], ...] = (
    ("老年食堂", Service.MEAL),
    ("助餐", Service.MEAL),
    ("食堂", Service.MEAL),
    ("吃饭", Service.MEAL),
    ("送餐", Service.MEAL),
    ("老年餐桌", Service.MEAL),
    ("助浴", Service.BATH),
    ("洗澡", Service.BATH),
    ("日间照料", Service.DAY_CARE),
    ("照料中心", Service.DAY_CARE),
    ("日托", Service.DAY_CARE),
    ("失智", Service.DEMENTIA_CARE),
    ("认知症", Service.DEMENTIA_CARE),
    ("助急", Service.EMERGENCY),
    ("助医", Service.MEDICAL),
    ("陪老人看病", Service.MEDICAL),
    ("助行", Service.MOBILITY),
    ("助洁", Service.CLEANING),
    ("打扫卫生", Service.CLEANING),
)
WHERE_WORDS = ("附近", "哪里", "哪儿", "在哪", "最近", "离我", "周边", "有没有", "有吗", "有伐",
               "地址", "电话", "去哪")  # fmt: skip
HOW_WORDS = ("怎么申请", "申请条件", "条件", "补贴", "多少钱", "费用", "收费", "怎么住",
             "是什么", "怎么做", "怎么办理", "政策")  # fmt: skip


def nearby_request(text: str) -> tuple[Service | None, FacilityKind | None]:
    """The service or facility kind a message asks to find nearby, or (None, None) when it names
    none, or asks how something works (cost, conditions) rather than where it is."""
    value = text.strip()
    kind = next((k for word, k in _KIND_WORDS if word in value), None)
    service = None if kind else next((s for word, s in _SERVICE_WORDS if word in value), None)
    if kind is None and service is None:
        return None, None
    asks_where = any(word in value for word in WHERE_WORDS)
    asks_how = any(word in value for word in HOW_WORDS)
    if asks_how and not asks_where:
        return None, None
    return service, kind
