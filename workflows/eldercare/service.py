"""What the views and the commands share: the walk model, communities and the directory cache."""

from __future__ import annotations

from fastapi import Request

from huimin.settings import Settings
from workflows.deps import kept_on_app
from workflows.eldercare.communities import Community, load_communities
from workflows.eldercare.directory import DirectoryCache
from workflows.eldercare.geo import WalkModel


def walk_model(settings: Settings) -> WalkModel:
    return WalkModel(settings.eldercare_walk_speed_m_per_min, settings.eldercare_detour_factor)


def communities(settings: Settings) -> tuple[Community, ...]:
    return load_communities(settings.eldercare_communities_file)


def directory_cache(request: Request) -> DirectoryCache:
    settings: Settings = request.app.state.settings
    return kept_on_app(
        request,
        "eldercare_directory",
        lambda: DirectoryCache(settings.eldercare_directory_refresh_seconds),
    )
