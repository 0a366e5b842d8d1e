"""Distances and walking time, and a grid index for "what is near this point" (stdlib only).

Distances are great-circle (haversine, mean Earth radius 6,371,008.8 m). Walking time is the
straight-line distance times a detour factor (streets are not straight) divided by the walking
speed; both are settings (``eldercare_walk_speed_m_per_min``, ``eldercare_detour_factor``).
The grid buckets points into cells of ``cell_deg`` degrees; a query reads only the cells that
can hold a point within the radius (a bounding box), then checks each candidate exactly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180.0
T = TypeVar("T")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class WalkModel:
    """How fast an elder walks (metres per minute) and how much longer streets are than a line."""

    speed_m_per_min: float
    detour_factor: float

    def minutes(self, metres: float) -> float:
        return metres * self.detour_factor / self.speed_m_per_min

    def reach_m(self, minutes: float) -> float:
        """The straight-line distance walkable in `minutes`."""
        return minutes * self.speed_m_per_min / self.detour_factor


def valid_point(lat: float, lon: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


class GridIndex(Generic[T]):
    """Points bucketed by (lat, lon) cell; ``within`` yields (item, metres) inside a radius."""

    def __init__(self, points: Iterable[tuple[float, float, T]], *, cell_deg: float = 0.01):
        self.cell_deg = cell_deg
        self._cells: dict[tuple[int, int], list[tuple[float, float, T]]] = defaultdict(list)
        self.size = 0
        for lat, lon, item in points:
            self._cells[self._cell(lat, lon)].append((lat, lon, item))
            self.size += 1

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self.cell_deg), math.floor(lon / self.cell_deg))

    def within(self, lat: float, lon: float, radius_m: float) -> Iterator[tuple[T, float]]:
        dlat = radius_m / METRES_PER_DEGREE_LAT
        coslat = max(math.cos(math.radians(lat)), 1e-6)
        dlon = dlat / coslat
        lat_lo, lon_lo = self._cell(lat - dlat, lon - dlon)
        lat_hi, lon_hi = self._cell(lat + dlat, lon + dlon)
        for i in range(lat_lo, lat_hi + 1):
            for j in range(lon_lo, lon_hi + 1):
                for plat, plon, item in self._cells.get((i, j), ()):
                    if abs(plat - lat) > dlat or abs(plon - lon) > dlon:
                        continue
                    metres = haversine_m(lat, lon, plat, plon)
                    if metres <= radius_m:
                        yield item, metres
