"""The directory in memory: a grid index over every facility, rebuilt when the table changes.

``DirectoryCache.get(session)`` asks the database one cheap question (row count and the newest
``updated_at``) at most every ``refresh_seconds`` (``eldercare_directory_refresh_seconds``); the
index is rebuilt only when that answer changes, or at once after ``invalidate()`` (the API's
import paths call it; a CLI import in another process shows within ``refresh_seconds``).
``nearby`` reads only the grid cells that can lie within the walk, then orders by exact walking
minutes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huimin import townships
from huimin.eldercare import SERVICE_LABELS, FacilityKind, Service
from workflows.eldercare.communities import Community, find_community
from workflows.eldercare.geo import GridIndex, WalkModel
from workflows.eldercare.models import Facility


@dataclass(frozen=True)
class Entry:
    id: int
    code: str
    name: str
    kind: FacilityKind
    services: tuple[Service, ...]
    township_code: str
    community: str
    address: str
    lat: float
    lon: float
    hours: str
    phone: str
    price_note: str
    sample: bool
    dementia_zone: bool
    nursing_beds: int | None
    total_beds: int | None

    @classmethod
    def of(cls, f: Facility) -> Entry:
        return cls(
            id=f.id,
            code=f.code,
            name=f.name,
            kind=FacilityKind(f.kind),
            services=tuple(Service(code) for code in f.service_codes),
            township_code=f.township_code,
            community=f.community,
            address=f.address,
            lat=f.lat,
            lon=f.lon,
            hours=f.hours,
            phone=f.phone,
            price_note=f.price_note,
            sample=f.sample,
            dementia_zone=f.dementia_zone,
            nursing_beds=f.nursing_beds,
            total_beds=f.total_beds,
        )


@dataclass(frozen=True)
class Hit:
    entry: Entry
    metres: float
    minutes: float

    def as_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "id": e.id,
            "name": e.name,
            "kind": e.kind.value,
            "kind_label": e.kind.label,
            "services": [s.value for s in e.services],
            "service_labels": [SERVICE_LABELS[s] for s in e.services],
            "township": townships.township_name(e.township_code),
            "community": e.community,
            "address": e.address,
            "lat": e.lat,
            "lon": e.lon,
            "distance_m": round(self.metres),
            "walking_minutes": round(self.minutes, 1),
            "hours": e.hours,
            "phone": e.phone,
            "price_note": e.price_note,
            "sample": e.sample,
        }


class Directory:
    """Every facility, indexed by grid cell."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.grid: GridIndex[Entry] = GridIndex((e.lat, e.lon, e) for e in entries)

    @property
    def any_sample(self) -> bool:
        return any(e.sample for e in self.entries)

    def nearby(
        self,
        lat: float,
        lon: float,
        *,
        minutes: float,
        walk: WalkModel,
        service: Service | None = None,
        kind: FacilityKind | None = None,
        limit: int = 20,
    ) -> list[Hit]:
        """Facilities within `minutes` of walking, nearest first."""
        hits = [
            Hit(entry, metres, walk.minutes(metres))
            for entry, metres in self.grid.within(lat, lon, walk.reach_m(minutes))
            if (service is None or service in entry.services)
            and (kind is None or entry.kind is kind)
        ]
        hits.sort(key=lambda hit: (hit.metres, hit.entry.id))
        return hits[:limit]


def _version(session: Session) -> tuple[int, str]:
    count, newest = session.execute(
        select(func.count(Facility.id), func.max(Facility.updated_at))
    ).one()
    return int(count), str(newest)


class DirectoryCache:
    """One per application (``app.state``): the index and the table version it was built from."""

    def __init__(self, refresh_seconds: float = 0.0) -> None:
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._built: tuple[tuple[int, str], Directory] | None = None
        self._checked_at = float("-inf")

    def invalidate(self) -> None:
        with self._lock:
            self._built = None

    def get(self, session: Session) -> Directory:
        built = self._built
        now = time.monotonic()
        if built is not None and now - self._checked_at < self.refresh_seconds:
            return built[1]
        version = _version(session)
        self._checked_at = now
        if built is not None and built[0] == version:
            return built[1]
        entries = [Entry.of(f) for f in session.scalars(select(Facility).order_by(Facility.id))]
        directory = Directory(entries)
        with self._lock:
            self._built = (version, directory)
        return directory


@dataclass(frozen=True)
class Place:
    """Where a search starts, and how it was named."""

    lat: float
    lon: float
    label: str
    township_code: str | None
    sample: bool


def township_point(code: str, communities: tuple[Community, ...]) -> tuple[float, float] | None:
    """A township's reference point: the mean of its communities' points."""
    points = [(c.lat, c.lon) for c in communities if c.township_code == code]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def resolve_place(text: str, communities: tuple[Community, ...]) -> Place | None:
    """A village/community name, an address containing one, or a township name → a point."""
    community = find_community(text, communities)
    if community is not None:
        return Place(
            community.lat,
            community.lon,
            f"{community.township_name}{community.name}",
            community.township_code,
            community.sample,
        )
    township = townships.from_text(text)
    if township is not None:
        point = township_point(township.code, communities)
        if point is not None:
            sample = any(c.sample for c in communities if c.township_code == township.code)
            return Place(point[0], point[1], township.name, township.code, sample)
    return None
