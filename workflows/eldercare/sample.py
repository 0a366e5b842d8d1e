"""The FICTITIOUS sample directory (示例数据(虚构)) for all 24 townships, made deterministically.

Nothing here is a real facility: names carry "示例", phone numbers are not dialable (a leading 0
after the area code), points are placed on a grid over the district's rough extent, and every
row has ``sample: true``. The two CSV files are committed (``workflows/eldercare/data/``);
regenerate them with ``python -m workflows eldercare generate-sample`` (same output every time).
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path
from typing import Any

from huimin import townships
from huimin.eldercare import FacilityKind, Service
from workflows.eldercare.importer import HEADERS

SEED = 20261130
CHECKED_ON = "2026-11-30"
# The rough extent of 富阳区 (degrees). The grid is a drawing aid, not a map of where places are.
LAT_RANGE = (29.80, 30.16)
LON_RANGE = (119.58, 120.14)
COMMUNITIES_PER_TOWNSHIP = 5
ORDINALS = "一二三四五六七八九十"

S = Service
K = FacilityKind
KIND_SERVICES: dict[FacilityKind, tuple[Service, ...]] = {
    K.CARE_CENTER: (S.MEAL, S.DAY_CARE, S.EMERGENCY, S.CLEANING, S.MOBILITY),
    K.CANTEEN: (S.MEAL,),
    K.BATH_POINT: (S.BATH,),
    K.NEIGHBOUR_POINT: (S.DAY_CARE, S.MEAL, S.EMERGENCY),
    K.CARE_HOME: (S.NURSING, S.MEAL, S.BATH, S.MEDICAL, S.REHAB),
    K.KANGYANG_MEMBER: (S.MEDICAL, S.REHAB, S.NURSING, S.DEMENTIA_CARE),
    K.HEALTH_CENTER: (S.MEDICAL, S.EMERGENCY),
    K.ADVISER_POINT: (S.ADVICE,),
    K.ASSISTANCE_STATION: (S.ASSISTANCE, S.ADVICE),
}
KIND_HOURS: dict[FacilityKind, str] = {
    K.CARE_CENTER: "周一至周五 08:00-17:00",
    K.CANTEEN: "每日 11:00-12:30, 17:00-18:00",
    K.BATH_POINT: "周二、周四 09:00-16:00(需预约)",
    K.NEIGHBOUR_POINT: "周一至周六 08:30-16:30",
    K.CARE_HOME: "全天(探访 09:00-17:00)",
    K.KANGYANG_MEMBER: "周一至周日 08:00-17:00",
    K.HEALTH_CENTER: "周一至周日 08:00-17:00",
    K.ADVISER_POINT: "周一至周五 09:00-16:00",
    K.ASSISTANCE_STATION: "工作日 08:30-17:00",
}
KIND_PRICES: dict[FacilityKind, str] = {
    K.CANTEEN: "示例:午餐每份 8 元,符合条件的老人按当地助餐补贴减免(金额以当地公布为准)",
    K.BATH_POINT: "示例:每次 30 元,特殊困难老人可申请减免(以当地公布为准)",
    K.CARE_HOME: "示例:床位费与护理费按护理等级收取;特困人员集中供养不收费",
    K.CARE_CENTER: "示例:日间照料按次收费,具体以中心公示为准",
}


def _point(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    dist = metres * math.sqrt(rng.random())
    dlat = dist * math.cos(angle) / 111_195.0
    dlon = dist * math.sin(angle) / (111_195.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def township_anchor(index: int) -> tuple[float, float]:
    """Township `index` (0–23) on a 6 × 4 grid over the district's rough extent."""
    row, col = divmod(index, 6)
    lat = LAT_RANGE[0] + (row + 0.5) * (LAT_RANGE[1] - LAT_RANGE[0]) / 4
    lon = LON_RANGE[0] + (col + 0.5) * (LON_RANGE[1] - LON_RANGE[0]) / 6
    return round(lat, 6), round(lon, 6)


def generate() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(communities, facilities) rows; the same every call."""
    rng = random.Random(SEED)
    communities: list[dict[str, Any]] = []
    facilities: list[dict[str, Any]] = []
    phone_serial = 0

    def add(
        kind: FacilityKind,
        township: townships.Township,
        community: str,
        point: tuple[float, float],
        label: str,
        **extra: Any,
    ) -> None:
        nonlocal phone_serial
        phone_serial += 1
        services = list(KIND_SERVICES[kind])
        if kind is K.CARE_HOME and extra.get("dementia_zone"):
            services.append(Service.DEMENTIA_CARE)
        facilities.append(
            {
                "code": f"SAMPLE-{township.code[6:9]}-{len(facilities) + 1:04d}",
                "name": f"{township.short_name}{label}(示例)",
                "kind": kind.label,
                "township": township.name,
                "community": community,
                "address": f"{township.name}{community}示例路{rng.randint(1, 199)}号(虚构地址)",
                "lat": point[0],
                "lon": point[1],
                "hours": KIND_HOURS[kind],
                "services": "、".join(s.label for s in services),
                "price_note": KIND_PRICES.get(kind, ""),
                "phone": f"0571-0{phone_serial:07d}",
                "operator": f"示例运营单位{rng.randint(1, 40)}号(虚构)",
                "checked_on": CHECKED_ON,
                "sample": "是",
                "total_beds": extra.get("total_beds", ""),
                "nursing_beds": extra.get("nursing_beds", ""),
                "dementia_zone": "是" if extra.get("dementia_zone") else "",
            }
        )

    kangyang_left = 8  # [PLAN] 三(二) 8: "建立康养联合体8家" (a target, used as the sample's count)
    for index, township in enumerate(townships.all_townships()):
        anchor = township_anchor(index)

        def local(name: str, township: townships.Township = township) -> str:
            return name.removeprefix(township.short_name)

        urban = township.kind == "街道"
        unit = "社区" if urban else "村"
        names = [
            f"{township.short_name}示例{ORDINALS[n]}{unit}" for n in range(COMMUNITIES_PER_TOWNSHIP)
        ]
        points = [_point(rng, *anchor, 2500.0) for _ in names]
        for name, point in zip(names, points, strict=True):
            communities.append(
                {
                    "township_code": township.code,
                    "name": name,
                    "lat": point[0],
                    "lon": point[1],
                    "sample": "true",
                }
            )
        add(K.CARE_CENTER, township, names[0], _point(rng, *anchor, 300), "居家养老服务中心")
        add(K.ASSISTANCE_STATION, township, names[0], _point(rng, *anchor, 300), "社会救助服务站")
        add(K.HEALTH_CENTER, township, names[0], _point(rng, *anchor, 600), "社区卫生服务中心")
        add(K.BATH_POINT, township, names[1], _point(rng, *points[1], 400), "助浴点")
        beds = rng.choice((60, 80, 120, 150))
        add(
            K.CARE_HOME,
            township,
            names[2],
            _point(rng, *points[2], 400),
            "敬老院",
            total_beds=beds,
            nursing_beds=int(beds * rng.choice((0.5, 0.6, 0.7))),
            dementia_zone=rng.random() < 0.3,
        )
        if kangyang_left and index % 3 == 0:
            kangyang_left -= 1
            add(
                K.KANGYANG_MEMBER,
                township,
                names[0],
                _point(rng, *anchor, 800),
                "康养联合体成员单位",
            )
        for n, (name, point) in enumerate(zip(names, points, strict=True)):
            if rng.random() < 0.75:
                add(K.CANTEEN, township, name, _point(rng, *point, 300), f"{local(name)}老年食堂")
            if urban:
                if rng.random() < 0.8:
                    add(
                        K.ADVISER_POINT,
                        township,
                        name,
                        _point(rng, *point, 200),
                        f"{local(name)}养老顾问点",
                    )
                if n > 0 and rng.random() < 0.5:
                    add(
                        K.CARE_CENTER,
                        township,
                        name,
                        _point(rng, *point, 300),
                        f"{local(name)}照料中心",
                    )
            elif rng.random() < 0.7:
                add(
                    K.NEIGHBOUR_POINT,
                    township,
                    name,
                    _point(rng, *point, 300),
                    f"{local(name)}睦邻点",
                )
        if not urban:
            add(K.ADVISER_POINT, township, names[0], _point(rng, *anchor, 300), "养老顾问点")
    return communities, facilities


COMMUNITY_HEADERS = ("township_code", "name", "lat", "lon", "sample")


def write_sample(directory: Path) -> tuple[Path, Path]:
    communities, facilities = generate()
    directory.mkdir(parents=True, exist_ok=True)
    community_path = directory / "sample_communities.csv"
    facility_path = directory / "sample_facilities.csv"
    with community_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COMMUNITY_HEADERS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(communities)
    with facility_path.open("w", encoding="utf-8", newline="") as handle:
        rows = csv.writer(handle, lineterminator="\n")
        rows.writerow([HEADERS[key] for key in HEADERS])
        for row in facilities:
            rows.writerow([row[key] for key in HEADERS])
    return community_path, facility_path
