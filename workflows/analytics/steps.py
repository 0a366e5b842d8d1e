"""The funnel's steps, in order, with their Chinese labels.

The application form's questions follow ``required_slots`` of ``application_form`` in
``bot/domain/application_form.yml`` (a test keeps the two equal). A question the form asks only
in some households (``conditional``) is shown but not used to find the drop-off step: fewer
residents reaching it is not a loss.
"""

from __future__ import annotations

from dataclasses import dataclass

APPLICATION_FORM = "application_form"
STARTED = "started"
APPLICATION_BEGUN = "application_begun"
SUBMITTED = "submitted"
HANDED_OFF = "handed_off"
ASK_PREFIX = "ask:"
SUBMISSION_SLOT = "last_application_number"  # set by action_submit_application on success
REQUESTED_SLOT = "requested_slot"


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    conditional: bool = False


# (slot, label, asked only in some households) in the form's order
APPLICATION_QUESTIONS: tuple[tuple[str, str, bool], ...] = (
    ("consent", "同意核对", False),
    ("id_number", "身份证号", False),
    ("identity_code", "身份验证码", True),  # skipped when the chat is verified already
    ("applicant_name", "姓名", False),
    ("phone", "手机号", False),
    ("hukou_township", "户籍镇街", False),
    ("residence_township", "居住镇街", False),
    ("has_residence_permit", "居住证", True),  # only hukou outside, living inside the district
    ("household_confirmed", "确认家庭成员", True),  # only when the registry found the household
    ("member_entry", "逐一登记家庭成员", True),  # only when the household was not confirmed
    ("income_text", "收入", False),
    ("property_text", "财产", False),
    ("programs", "申请项目", False),
    ("expenses_text", "刚性支出", True),  # only for programs that need it
    ("illness_text", "疾病情况", True),  # only for programs that need it
    ("income_owner", "收入归属", True),  # only for 特困 with one household income figure
    ("own_income_text", "本人收入", True),  # only when that income stayed on the household
    ("extra_programs", "其他可申请项目", True),  # only when other programs are proposed
    ("documents_later", "材料提交方式", False),
    ("summary_confirmed", "确认提交", False),
)
APPLICATION_SLOTS: frozenset[str] = frozenset(slot for slot, _, _ in APPLICATION_QUESTIONS)

FUNNEL: tuple[Step, ...] = (
    Step(STARTED, "开始对话"),
    Step(APPLICATION_BEGUN, "开始申请"),
    *(
        Step(ASK_PREFIX + slot, f"问到:{label}", cond)
        for slot, label, cond in APPLICATION_QUESTIONS
    ),
    Step(SUBMITTED, "提交成功"),
)
OUTCOMES: tuple[Step, ...] = (Step(HANDED_OFF, "转人工"),)
LABELS: dict[str, str] = {step.name: step.label for step in (*FUNNEL, *OUTCOMES)}


def ask_step(slot: str) -> str | None:
    """The step of a question of the application form; None for any other slot."""
    return ASK_PREFIX + slot if slot in APPLICATION_SLOTS else None
