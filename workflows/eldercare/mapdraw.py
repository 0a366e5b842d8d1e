"""The coverage map as an SVG file, drawn offline (no tile server, no extra package).

Points are facilities (colour by kind), each community is a dot with its walking circle (green:
every target service within reach; red: something missing) and each township is labelled at its
reference point. An equirectangular projection of the data's own extent: no basemap, no
boundaries (none are shipped). SVG rather than a bitmap so the Chinese labels render with the
reader's fonts (the server has no CJK font for Pillow/matplotlib).
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from pathlib import Path

from huimin import townships
from huimin.eldercare import FacilityKind
from workflows.eldercare.communities import SAMPLE_LABEL, Community
from workflows.eldercare.coverage import CommunityCoverage
from workflows.eldercare.directory import Directory, township_point
from workflows.eldercare.geo import METRES_PER_DEGREE_LAT, WalkModel

WIDTH = 1200
MARGIN = 60
KIND_COLOURS: dict[FacilityKind, str] = {
    FacilityKind.CARE_CENTER: "#1f77b4",
    FacilityKind.CANTEEN: "#ff7f0e",
    FacilityKind.BATH_POINT: "#17becf",
    FacilityKind.NEIGHBOUR_POINT: "#8c564b",
    FacilityKind.CARE_HOME: "#9467bd",
    FacilityKind.KANGYANG_MEMBER: "#e377c2",
    FacilityKind.HEALTH_CENTER: "#2ca02c",
    FacilityKind.ADVISER_POINT: "#7f7f7f",
    FacilityKind.ASSISTANCE_STATION: "#bcbd22",
}


def draw_svg(
    directory: Directory,
    communities: tuple[Community, ...],
    coverage: list[CommunityCoverage],
    *,
    minutes: float,
    walk: WalkModel,
    generated_at: dt.datetime,
) -> str:
    lats = [e.lat for e in directory.entries] + [c.lat for c in communities]
    lons = [e.lon for e in directory.entries] + [c.lon for c in communities]
    if not lats:
        lats, lons = [29.8, 30.2], [119.6, 120.2]
    lat0, lat1 = min(lats) - 0.01, max(lats) + 0.01
    lon0, lon1 = min(lons) - 0.01, max(lons) + 0.01
    coslat = math.cos(math.radians((lat0 + lat1) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((lon1 - lon0) * coslat)  # px per degree of latitude
    height = int((lat1 - lat0) * scale) + 2 * MARGIN + 80

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (MARGIN + (lon - lon0) * coslat * scale, MARGIN + 40 + (lat1 - lat) * scale)

    ring_px = walk.reach_m(minutes) / METRES_PER_DEGREE_LAT * scale
    sample = directory.any_sample or any(c.sample for c in communities)
    title = f"富阳区 {minutes:g} 分钟养老服务圈覆盖图"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="30" font-size="22">{escape(title)}'
        + (f"〔{SAMPLE_LABEL}〕" if sample else "")
        + "</text>",
        f'<text x="{MARGIN}" y="52" font-size="13" fill="#555">步行按每分钟 '
        f"{walk.speed_m_per_min:g} 米、绕行系数 {walk.detour_factor:g}(示例配置);"
        f"生成于 {generated_at:%Y-%m-%d %H:%M}</text>",
    ]
    for row in coverage:
        x, y = xy(row.community.lat, row.community.lon)
        colour = "#d62728" if row.missing else "#2ca02c"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{ring_px:.1f}" fill="{colour}" '
            f'fill-opacity="0.06" stroke="{colour}" stroke-opacity="0.6" stroke-width="1"/>'
        )
    for entry in directory.entries:
        x, y = xy(entry.lat, entry.lon)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{KIND_COLOURS[entry.kind]}">'
            f"<title>{escape(entry.name)}</title></circle>"
        )
    for row in coverage:
        x, y = xy(row.community.lat, row.community.lon)
        colour = "#d62728" if row.missing else "#2ca02c"
        missing = "、".join(s.label for s in row.missing) or "无"
        parts.append(
            f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}">'
            f"<title>{escape(row.community.name)}:缺少 {escape(missing)}</title></rect>"
        )
    for township in townships.all_townships():
        point = township_point(township.code, communities)
        if point is None:
            continue
        x, y = xy(*point)
        parts.append(
            f'<text x="{x:.1f}" y="{y - 12:.1f}" font-size="14" text-anchor="middle" '
            f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(township.name)}</text>'
        )
    legend_y = height - 30
    x = MARGIN
    for kind, colour in KIND_COLOURS.items():
        parts.append(f'<circle cx="{x}" cy="{legend_y}" r="5" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 8}" y="{legend_y + 4}" font-size="12">{escape(kind.label)}</text>'
        )
        x += 18 + 13 * len(kind.label)
    parts.append("</svg>")
    return "\n".join(parts)


def write_svg(path: Path, svg: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(svg, encoding="utf-8")
    tmp.replace(path)
    return path
