"""Vocabularies of the application itself (docs/API.md); the household's are in
:mod:`workflows.household.enums`."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WECHAT = "wechat"  # 微信公众号: channel_user_id is the openid
    WEB = "web"
    COUNTER = "counter"


class BundleStatus(StrEnum):
    """The application's status, derived from its program cases."""

    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    MATERIALS_NEEDED = "materials_needed"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return BUNDLE_LABELS[self]


BUNDLE_LABELS = {
    BundleStatus.SUBMITTED: "已提交,等待受理",
    BundleStatus.IN_PROGRESS: "办理中",
    BundleStatus.MATERIALS_NEEDED: "需要补充材料",
    BundleStatus.COMPLETED: "已办结",
}
