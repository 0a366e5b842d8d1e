"""Coverage of the 15-minute circle: per community, which target services are out of reach.

The target is the district plan's 15-minute elder-care circle with
助餐、助浴、助急、助医、助行、助洁 ([PLAN] 三(二) 5; ``vocab.CIRCLE_TARGET_SERVICES``).
A service counts as covered for a community when some facility offering it lies within the
circle's walking minutes of the community's point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from huimin import townships
from huimin.eldercare import CIRCLE_TARGET_SERVICES, SERVICE_LABELS, Service
from workflows.eldercare.communities import Community
from workflows.eldercare.directory import Directory, Hit
from workflows.eldercare.geo import WalkModel


@dataclass(frozen=True)
class CommunityCoverage:
    community: Community
    nearest: dict[Service, Hit | None]  # per target service, the nearest within the circle

    @property
    def missing(self) -> list[Service]:
        return [s for s, hit in self.nearest.items() if hit is None]

    def as_dict(self) -> dict[str, Any]:
        c = self.community
        return {
            "township_code": c.township_code,
            "township": townships.township_name(c.township_code),
            "community": c.name,
            "lat": c.lat,
            "lon": c.lon,
            "sample": c.sample,
            "covered": [s.value for s, hit in self.nearest.items() if hit is not None],
            "missing": [s.value for s in self.missing],
            "missing_labels": [SERVICE_LABELS[s] for s in self.missing],
            "nearest": {
                s.value: (
                    None
                    if hit is None
                    else {
                        "id": hit.entry.id,
                        "name": hit.entry.name,
                        "walking_minutes": round(hit.minutes, 1),
                    }
                )
                for s, hit in self.nearest.items()
            },
        }


def community_coverage(
    directory: Directory,
    communities: tuple[Community, ...],
    *,
    minutes: float,
    walk: WalkModel,
    services: tuple[Service, ...] = CIRCLE_TARGET_SERVICES,
) -> list[CommunityCoverage]:
    rows = []
    for community in communities:
        hits = directory.nearby(
            community.lat, community.lon, minutes=minutes, walk=walk, limit=10_000
        )
        nearest: dict[Service, Hit | None] = {}
        for service in services:
            nearest[service] = next((h for h in hits if service in h.entry.services), None)
        rows.append(CommunityCoverage(community, nearest))
    return rows


def summary(rows: list[CommunityCoverage]) -> dict[str, Any]:
    """How many communities have each target service within the circle."""
    total = len(rows)
    per_service = {}
    for service in CIRCLE_TARGET_SERVICES:
        covered = sum(1 for row in rows if row.nearest.get(service) is not None)
        per_service[service.value] = {
            "label": SERVICE_LABELS[service],
            "covered": covered,
            "share": round(covered / total, 3) if total else 0.0,
        }
    complete = sum(1 for row in rows if not row.missing)
    return {"communities": total, "fully_covered": complete, "per_service": per_service}
