"""Time bank API shapes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from workflows.fields import PhoneNumber, TownshipCode
from workflows.validation import ChineseMessages


class AccountKind(StrEnum):
    VOLUNTEER = "volunteer"
    ELDER = "elder"
    FAMILY = "family"
    POOL = "pool"

    @property
    def label(self) -> str:
        return {"volunteer": "志愿者", "elder": "老人", "family": "家属", "pool": "社区公共账户"}[
            self.value
        ]


class TransferKind(StrEnum):
    SERVICE = "service"  # elder (or pool) -> volunteer, for a service given
    GIFT = "gift"  # volunteer -> a family member's account (elder or family, linked)
    EXCHANGE = "exchange"  # saved hours -> pool, exchanged for a service

    @property
    def label(self) -> str:
        return {"service": "志愿服务", "gift": "转赠家属", "exchange": "兑换服务"}[self.value]


class AccountIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: AccountKind
    holder_name: str = Field(min_length=1, max_length=60)
    township_code: TownshipCode
    phone: PhoneNumber = None
    channel: str | None = Field(default=None, max_length=20)
    channel_user_id: str | None = Field(default=None, max_length=100)
    family_of_id: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description="登记为哪个账户的家人(如老人的子女)"
    )


class AccountOut(BaseModel):
    id: int
    kind: str
    holder_name: str
    township_code: str
    balance_minutes: int
    balance_hours: float
    floor_minutes: int


class MovementOut(BaseModel):
    transfer_id: int
    kind: str
    kind_label: str
    minutes: int
    counterparty: str
    description: str
    at: dt.datetime


class StatementOut(AccountOut):
    movements: list[MovementOut]
    pending_in_minutes: int
    pending_out_minutes: int


class TransferIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: TransferKind
    source_id: int = Field(ge=1, le=2_147_483_647)
    destination_id: int = Field(ge=1, le=2_147_483_647)
    minutes: int = Field(ge=1, le=24 * 60, description="分钟,单次不超过24小时")
    description: str = Field(default="", max_length=1000)
    service_on: dt.date | None = None


class ConfirmIn(ChineseMessages):
    confirmer_account_id: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="内部调用(对话):确认人的账户(老人本人或其家属);工作人员确认时不填",
    )


class TransferOut(BaseModel):
    id: int
    kind: str
    source_id: int
    destination_id: int
    minutes: int
    status: str
    description: str
    confirmed_by: str | None


class OfferIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    account_id: int = Field(ge=1, le=2_147_483_647)
    title: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=1000)


class OfferOut(BaseModel):
    id: int
    account_id: int
    holder_name: str
    title: str
    description: str
