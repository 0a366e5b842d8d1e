"""Who may do what: the one map from roles (and the internal caller) to capabilities.

Views ask this module instead of checking roles themselves:

- ``CASE_DATA``: every case and application endpoint and page (lists, details, submission,
  transitions), uploaded documents, the dashboard.
  Township staff and the district supervisor; the internal caller (the dialogue and the bridge
  submit applications and upload documents). Advisers (养老顾问) read the knowledge base and
  elder-care information, never cases.
- ``FULL_ID_NUMBERS``: unmasked ID numbers of the applicant and members in case/application
  details, for the staff who check them against documents: counter and reviewer staff of the
  township that handles or received the case, and the supervisor. Everyone else (a township that
  sees the case only through a forward, the internal caller: no action reads a case detail)
  gets ``huimin.idcard.mask``.
- ``HANDLE_HANDOFFS``: read, claim, answer, transfer and close hand-offs (人工服务). A township's
  staff see their township's hand-offs only; hand-offs without a township (the resident never
  named one) form the district queue, which only district staff see (the supervisor, a district
  elder-care adviser). Reviewers, counter staff and elder-care advisers answer residents; an
  adviser sees the hand-off conversation only (never cases: no ``CASE_DATA``).
- ``ASK_KNOWLEDGE``: the policy knowledge base (every role).
- ``ELDERCARE_DIRECTORY``: read the elder-care service directory, the 15-minute circle and its
  coverage (every role and the internal caller: the directory holds no personal data, so it is
  not township-scoped).
- ``MANAGE_ELDERCARE_DIRECTORY``: import or change the directory (the district supervisor).
- ``VISITS``: the 探访 roster, visit log and visit rate (workflows/visits). Township staff see their
  township, the supervisor the district, a grid worker (村社/网格员) only the villages assigned to
  them (404 elsewhere); grid workers see no cases.
- ``CONVERSATION_ANALYTICS``: the dialogue's funnel (workflows/analytics): the district
  supervisor and any district-level staff member (no township) — see
  :func:`sees_conversation_analytics`. Not township-scoped: the figures hold no household and no
  township, only counts of conversation steps for the whole district.
- ``TIMEBANK``: 时间银行 accounts, service records and their confirmation (staff at a station,
  grid workers, and the internal caller for the chat), scoped by the account's township.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from workflows.auth.actor import Caller
from workflows.auth.enums import Role


class Capability(StrEnum):
    CASE_DATA = "case_data"
    FULL_ID_NUMBERS = "full_id_numbers"
    HANDLE_HANDOFFS = "handle_handoffs"
    ASK_KNOWLEDGE = "ask_knowledge"
    ELDERCARE_DIRECTORY = "eldercare_directory"
    MANAGE_ELDERCARE_DIRECTORY = "manage_eldercare_directory"
    VISITS = "visits"
    TIMEBANK = "timebank"
    CONVERSATION_ANALYTICS = "conversation_analytics"


_CASE_STAFF = frozenset(
    {
        Capability.CASE_DATA,
        Capability.FULL_ID_NUMBERS,
        Capability.HANDLE_HANDOFFS,
        Capability.ASK_KNOWLEDGE,
        Capability.ELDERCARE_DIRECTORY,
        Capability.VISITS,
        Capability.TIMEBANK,
    }
)

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.REVIEWER: _CASE_STAFF,
    Role.COUNTER: _CASE_STAFF,
    Role.SUPERVISOR: _CASE_STAFF
    | {Capability.MANAGE_ELDERCARE_DIRECTORY, Capability.CONVERSATION_ANALYTICS},
    Role.ADVISER: frozenset(
        {Capability.ASK_KNOWLEDGE, Capability.HANDLE_HANDOFFS, Capability.ELDERCARE_DIRECTORY}
    ),
    Role.GRID_WORKER: frozenset(
        {
            Capability.VISITS,
            Capability.TIMEBANK,
            Capability.ASK_KNOWLEDGE,
            Capability.ELDERCARE_DIRECTORY,
        }
    ),
}

INTERNAL_CAPABILITIES: frozenset[Capability] = frozenset(
    {
        Capability.CASE_DATA,
        Capability.ASK_KNOWLEDGE,
        Capability.ELDERCARE_DIRECTORY,
        Capability.TIMEBANK,
    }
)

REFUSALS: dict[Capability, str] = {
    Capability.CASE_DATA: "您的角色不能查看案件、申请和材料(养老顾问请使用政策问答)",
    Capability.FULL_ID_NUMBERS: "您的角色不能查看完整的身份证号码",
    Capability.HANDLE_HANDOFFS: "您的角色不能查看或处理人工服务请求",
    Capability.ASK_KNOWLEDGE: "您的角色不能使用政策问答",
    Capability.ELDERCARE_DIRECTORY: "您的角色不能查看养老服务目录",
    Capability.MANAGE_ELDERCARE_DIRECTORY: "只有区级督导可以导入或修改养老服务目录",
    Capability.VISITS: "您的角色不能查看或登记探访",
    Capability.TIMEBANK: "您的角色不能办理时间银行业务",
    Capability.CONVERSATION_ANALYTICS: "只有区级督导和区级工作人员可以查看对话统计",
}


def capabilities_of(caller: Caller) -> frozenset[Capability]:
    role = caller.role
    if role is None:
        return INTERNAL_CAPABILITIES
    return ROLE_CAPABILITIES.get(role, frozenset())


def can(caller: Caller, capability: Capability) -> bool:
    return capability in capabilities_of(caller)


def sees_full_id_numbers(caller: Caller, township_codes: Iterable[str | None]) -> bool:
    """Unmasked ID numbers of a record belonging to these townships (handling, received)."""
    if caller.is_internal or not can(caller, Capability.FULL_ID_NUMBERS):
        return False
    scope = caller.township_scope
    return scope is None or scope in set(township_codes)


def may_see_township_queue(caller: Caller, township_code: str | None) -> bool:
    """A hand-off queue entry of this township (None: the district queue)."""
    if caller.is_internal or not can(caller, Capability.HANDLE_HANDOFFS):
        return False
    scope = caller.township_scope
    return scope is None or scope == township_code


def sees_conversation_analytics(caller: Caller) -> bool:
    """The funnel: the supervisor's capability, or any staff member of the district level."""
    if caller.is_internal:
        return False
    return can(caller, Capability.CONVERSATION_ANALYTICS) or caller.township_scope is None
