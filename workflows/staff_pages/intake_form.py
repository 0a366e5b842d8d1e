"""The application form as the counter intake page shows it: Rasa slots -> labelled fields,
and checked corrections from the staff member back to slots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from huimin import idcard, townships
from huimin.programs import PROGRAM_ALIASES, Program

YES = {"是", "有", "同意", "yes", "true", "1", "y"}
NO = {"否", "无", "没有", "不同意", "no", "false", "0", "n"}


@dataclass(frozen=True)
class Field:
    slot: str
    label: str
    kind: str  # text | id | township | bool | programs | members | identity | readonly

    @property
    def editable(self) -> bool:
        return self.kind not in ("members", "identity", "readonly")


FIELDS: tuple[Field, ...] = (
    Field("applicant_name", "申请人姓名", "text"),
    Field("id_number", "身份证号码", "id"),
    Field("identity_code", "身份核验", "identity"),
    Field("phone", "联系电话", "text"),
    Field("hukou_township", "户籍所在乡镇(街道)", "township"),
    Field("residence_township", "居住地乡镇(街道)", "township"),
    Field("has_residence_permit", "是否持有居住证", "bool"),
    Field("members", "家庭成员", "members"),
    Field("income_text", "家庭收入情况", "text"),
    Field("property_text", "家庭财产情况", "text"),
    Field("programs", "申请项目", "programs"),
    Field("documents_later", "材料稍后补交", "bool"),
    Field("consent", "同意家庭经济状况核对授权", "bool"),
    Field("last_application_number", "申请编号(提交后)", "readonly"),
)
BY_SLOT = {f.slot: f for f in FIELDS}


class CorrectionError(ValueError):
    """Carries a Chinese reason."""


def _program_label(value: Any) -> str:
    try:
        return Program(str(value)).label
    except ValueError:
        return str(value)


# The dialogue's identity_code states (actions/identity_check.py) as staff read them.
IDENTITY_STATES = {
    "verified": "已核验",
    "skipped": "未核验(手工录入家庭成员)",
    "sent": "验证码已发送,待输入",
}


def display(field: Field, value: Any) -> str:
    if value in (None, "", []):
        return ""
    if field.kind == "identity":
        return IDENTITY_STATES.get(str(value), "未核验")
    if field.kind == "bool":
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)
    if field.kind == "programs" and isinstance(value, list):
        return "、".join(_program_label(v) for v in value)
    if field.kind == "members" and isinstance(value, list):
        parts = []
        for member in value:
            if isinstance(member, dict):
                name = member.get("name") or "?"
                relation = member.get("relation") or ""
                parts.append(f"{name}({relation})" if relation else str(name))
        return "、".join(parts)
    return str(value)


def form_rows(slots: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "slot": f.slot,
            "label": f.label,
            "kind": f.kind,
            "editable": f.editable,
            "value": display(f, slots.get(f.slot)),
            "filled": slots.get(f.slot) not in (None, "", []),
        }
        for f in FIELDS
    ]


def corrected_value(slot: str, raw: str) -> Any:
    """The slot value for a staff member's correction; CorrectionError when it is not valid."""
    field = BY_SLOT.get(slot)
    if field is None or not field.editable:
        raise CorrectionError("这个字段不能直接修改")
    text = raw.strip()
    if not text:
        return None
    if field.kind == "id":
        try:
            return idcard.parse(text).number
        except idcard.InvalidIdNumber as exc:
            raise CorrectionError(str(exc)) from None
    if field.kind == "township":
        township = townships.from_text(text)
        if township is None:
            raise CorrectionError("未找到这个乡镇(街道),请填写富阳区的乡镇(街道)名称")
        return township.name
    if field.kind == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise CorrectionError("请填写“是”或“否”")
    if field.kind == "programs":
        chosen = []
        for part in text.replace(",", "、").replace("\uff0c", "、").split("、"):
            name = part.strip()
            match = next(
                (p for p in Program if name in (p.value, p.label, *PROGRAM_ALIASES.get(p, ()))),
                None,
            )
            if match is None:
                raise CorrectionError(f"未知的申请项目:{name}")
            chosen.append(match.value)
        return chosen
    if len(text) > 500:
        raise CorrectionError("内容太长了,请不要超过500字")
    return text
