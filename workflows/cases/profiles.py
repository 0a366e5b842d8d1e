"""Each program's legal process as data (``data/profiles.yaml``): stages, decision, deadlines.

The case machine (workflows/cases/machine.py) asks the profile which stages a case passes
(investigation, 公示), who decides, whether 先行救助 or a direct grant on a certificate is
possible, and whether the program is referred to another department. Due dates follow the
deadline of the configured jurisdiction (``HUIMIN_CASE_JURISDICTION``; Zhejiang here).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from huimin.programs import Program

PROFILES_FILE = Path(__file__).parent / "data" / "profiles.yaml"
SAMPLE_LABEL = "示例配置,以民政部门公布为准"

Jurisdiction = Literal["national", "zhejiang"]


class ProfileError(ValueError):
    """The profile file is malformed (the message names the entry)."""


class Stage(StrEnum):
    INVESTIGATION = "investigation"
    PUBLIC_NOTICE = "public_notice"

    @property
    def label(self) -> str:
        return {"investigation": "入户调查和信息核对", "public_notice": "公示"}[self.value]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    number: str = ""
    effective: str = ""


class Cite(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    article: str = ""


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    working_days: int = Field(gt=0)
    extended_to: int | None = None
    cite: Cite | None = None
    sample: bool = False

    @model_validator(mode="after")
    def _cited_or_sample(self) -> Deadline:
        if (self.cite is None) != self.sample:
            raise ValueError("a deadline has either a citation or sample: true")
        if self.extended_to is not None and self.extended_to <= self.working_days:
            raise ValueError("extended_to must be longer than working_days")
        return self


class Deadlines(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    national: Deadline
    zhejiang: Deadline | None = None
    delegated: Deadline | None = None


class UrgentGrant(BaseModel):
    """先行救助: help the same day, the paperwork within ``paperwork_working_days``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paperwork_working_days: int = Field(gt=0)
    paperwork_sample: bool
    cite: Cite


class DirectGrant(BaseModel):
    """Granted on showing the certificate of one of ``certified_programs``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    certified_programs: tuple[Program, ...]
    cite: Cite


class Referral(BaseModel):
    """Handled by another department: the township refers the case and tracks the answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    department: str
    answer_working_days: int = Field(gt=0)
    answer_sample: bool
    cite: Cite


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stages: tuple[Stage, ...]
    decision: Literal["county", "township"]
    delegable: bool = False
    decision_cite: Cite | None = None
    deadlines: Deadlines
    urgent_grant: UrgentGrant | None = None
    direct_grant: DirectGrant | None = None
    referral: Referral | None = None
    payment: str
    payment_cite: Cite | None = None

    def has(self, stage: Stage) -> bool:
        return stage in self.stages

    def county_decides(self, *, delegated: bool) -> bool:
        return self.decision == "county" and not (delegated and self.delegable)

    def deadline(self, jurisdiction: Jurisdiction, *, delegated: bool) -> Deadline:
        """The time limit that drives the due date: the delegated one where 审核确认 is the
        township's, else the jurisdiction's, else the national one."""
        d = self.deadlines
        if delegated and self.delegable and d.delegated is not None:
            return d.delegated
        if jurisdiction == "zhejiang" and d.zhejiang is not None:
            return d.zhejiang
        return d.national


class ProfileTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1]
    sources: dict[str, Source]
    public_notice_cite: Cite
    default: Profile
    programs: dict[str, Profile]

    @model_validator(mode="after")
    def _known_sources(self) -> ProfileTable:
        for name, profile in [("default", self.default), *self.programs.items()]:
            for cite in _cites_of(profile):
                if cite.source not in self.sources:
                    raise ValueError(f"{name}: unknown source {cite.source}")
        return self

    def profile(self, program: str) -> Profile:
        """The program's profile, or the default one."""
        return self.programs.get(program, self.default)

    def known_programs(self) -> dict[Program, Profile]:
        """Entries whose key is a program code today (others wait for their code)."""
        codes = {p.value for p in Program}
        return {Program(k): v for k, v in self.programs.items() if k in codes}

    def citation(self, cite: Cite | None) -> str:
        """``《title》(文号)article``; an empty string without a citation."""
        if cite is None:
            return ""
        source = self.sources[cite.source]
        number = f"({source.number})" if source.number else ""
        return f"{source.title}{number}{cite.article}"

    def deadline_text(self, deadline: Deadline) -> str:
        extension = (
            f",可延长至{deadline.extended_to}个工作日" if deadline.extended_to else ",不可延长"
        )
        where = SAMPLE_LABEL if deadline.sample else self.citation(deadline.cite)
        return f"{deadline.working_days}个工作日{extension}({where})"


def _cites_of(profile: Profile) -> list[Cite]:
    cites = [profile.decision_cite, profile.payment_cite]
    cites += [profile.deadlines.national.cite]
    for deadline in (profile.deadlines.zhejiang, profile.deadlines.delegated):
        if deadline is not None:
            cites.append(deadline.cite)
    for extra in (profile.urgent_grant, profile.direct_grant, profile.referral):
        if extra is not None:
            cites.append(extra.cite)
    return [c for c in cites if c is not None]


@lru_cache(maxsize=4)
def load_profiles(path: Path = PROFILES_FILE) -> ProfileTable:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ProfileTable.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"办理流程配置 {path} 无法读取:{exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ProfileError(f"办理流程配置 {path} 中 {where} 有误:{first['msg']}") from None


def profile_of(program: str) -> Profile:
    return load_profiles().profile(program)
