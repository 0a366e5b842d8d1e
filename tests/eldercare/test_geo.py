"""Distance and walking time with known coordinates; the grid index agrees with brute force."""

from __future__ import annotations

import math
import random

import pytest

from workflows.eldercare.geo import GridIndex, WalkModel, haversine_m

WALK = WalkModel(speed_m_per_min=50.0, detour_factor=1.25)


def test_same_point_is_zero() -> None:
    assert haversine_m(30.05, 119.95, 30.05, 119.95) == 0.0


def test_one_degree_of_latitude() -> None:
    # π·R/180 with the mean Earth radius 6,371,008.8 m
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_194.93, abs=0.5)
    assert haversine_m(30.0, 120.0, 31.0, 120.0) == pytest.approx(111_194.93, abs=0.5)


def test_longitude_shrinks_with_latitude() -> None:
    # 0.01° of longitude at 30° N ≈ 1,111.95 m × cos 30° = 962.97 m
    assert haversine_m(30.0, 120.0, 30.0, 120.01) == pytest.approx(962.97, abs=0.1)
    assert haversine_m(30.0, 120.0, 30.0, 120.01) == haversine_m(30.0, 120.01, 30.0, 120.0)


def test_known_city_pair() -> None:
    # Tiananmen (39.9087, 116.3975) to People's Square, Shanghai (31.2304, 121.4737): ≈ 1,067 km
    assert haversine_m(39.9087, 116.3975, 31.2304, 121.4737) / 1000 == pytest.approx(1067, abs=3)


def test_walking_minutes_at_the_elder_pace() -> None:
    assert WALK.minutes(1000) == pytest.approx(25.0)  # 1,000 m × 1.25 / 50 m per minute
    assert WALK.minutes(600) == pytest.approx(15.0)
    assert WALK.reach_m(15) == pytest.approx(600.0)
    assert WalkModel(80.0, 1.0).minutes(1200) == pytest.approx(15.0)


def test_grid_matches_brute_force() -> None:
    rng = random.Random(7)
    points = [(30 + rng.uniform(-0.1, 0.1), 120 + rng.uniform(-0.1, 0.1), i) for i in range(3000)]
    grid = GridIndex(points, cell_deg=0.01)
    for _ in range(50):
        lat, lon = 30 + rng.uniform(-0.1, 0.1), 120 + rng.uniform(-0.1, 0.1)
        radius = rng.choice((200.0, 600.0, 1500.0, 4000.0))
        found = {item for item, _ in grid.within(lat, lon, radius)}
        expected = {i for plat, plon, i in points if haversine_m(lat, lon, plat, plon) <= radius}
        assert found == expected


def test_grid_reports_exact_distance() -> None:
    grid = GridIndex([(30.0, 120.01, "a")])
    [(item, metres)] = list(grid.within(30.0, 120.0, 1000))
    assert item == "a"
    assert math.isclose(metres, haversine_m(30.0, 120.0, 30.0, 120.01))
    assert list(grid.within(30.0, 120.0, 900)) == []
