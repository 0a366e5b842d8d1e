"""Target categories, ways of visiting and risk flags (codes in the API, labels in Chinese)."""

from __future__ import annotations

from enum import StrEnum


class TargetCategory(StrEnum):
    DIBAO = "dibao"
    DIBAO_EDGE = "dibao_edge"
    TEKUN = "tekun"
    ALONE = "alone"
    EMPTY_NEST = "empty_nest"
    DISABLED = "disabled"
    DEMENTIA = "dementia"
    LEFT_BEHIND = "left_behind"
    SEVERE_DISABILITY = "severe_disability"
    FAMILY_PLANNING = "family_planning"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[TargetCategory, str] = {
    TargetCategory.DIBAO: "低保户",
    TargetCategory.DIBAO_EDGE: "低边户",
    TargetCategory.TEKUN: "特困人员",
    TargetCategory.ALONE: "独居老人",
    TargetCategory.EMPTY_NEST: "空巢老人",
    TargetCategory.DISABLED: "失能老人",
    TargetCategory.DEMENTIA: "失智老人",
    TargetCategory.LEFT_BEHIND: "留守老人",
    TargetCategory.SEVERE_DISABILITY: "重残",
    TargetCategory.FAMILY_PLANNING: "计生特殊家庭",
}
CATEGORY_BY_LABEL: dict[str, TargetCategory] = {v: k for k, v in CATEGORY_LABELS.items()} | {
    "低保": TargetCategory.DIBAO,
    "低边": TargetCategory.DIBAO_EDGE,
    "低保边缘": TargetCategory.DIBAO_EDGE,
    "特困": TargetCategory.TEKUN,
    "独居": TargetCategory.ALONE,
    "空巢": TargetCategory.EMPTY_NEST,
    "失能": TargetCategory.DISABLED,
    "失智": TargetCategory.DEMENTIA,
    "留守": TargetCategory.LEFT_BEHIND,
}
# An approved case of these programs puts its applicant's household on the roster.
CATEGORY_OF_PROGRAM: dict[str, TargetCategory] = {
    "dibao": TargetCategory.DIBAO,
    "dibao_edge": TargetCategory.DIBAO_EDGE,
    "tekun": TargetCategory.TEKUN,
}


class VisitWay(StrEnum):
    HOME = "home"
    PHONE = "phone"
    VIDEO = "video"

    @property
    def label(self) -> str:
        return {"home": "上门", "phone": "电话", "video": "视频"}[self.value]


class RiskFlag(StrEnum):
    NO_HEATING = "no_heating"
    FALL = "fall"
    NO_FOOD = "no_food"
    HEALTH_CRISIS = "health_crisis"

    @property
    def label(self) -> str:
        return RISK_LABELS[self]


RISK_LABELS: dict[RiskFlag, str] = {
    RiskFlag.NO_HEATING: "无取暖",
    RiskFlag.FALL: "跌倒",
    RiskFlag.NO_FOOD: "缺少食物",
    RiskFlag.HEALTH_CRISIS: "健康危急",
}
# Flags that make the lead urgent and notify the township at once.
URGENT_FLAGS = frozenset({RiskFlag.FALL, RiskFlag.HEALTH_CRISIS, RiskFlag.NO_FOOD})
