"""Corrections typed by counter staff become checked slot values."""

from __future__ import annotations

import datetime as dt

import pytest

from huimin.idcard import make_number
from workflows.staff_pages.intake_form import CorrectionError, corrected_value, form_rows


@pytest.mark.parametrize(
    ("slot", "typed", "value"),
    [
        ("applicant_name", " 王五 ", "王五"),
        ("hukou_township", "富春", "富春街道"),
        ("residence_township", "新登镇", "新登镇"),
        ("has_residence_permit", "是", True),
        ("consent", "不同意", False),
        ("programs", "低保、医疗救助", ["dibao", "medical"]),
        ("programs", "dibao,medical", ["dibao", "medical"]),
        ("programs", "低保\uff0c医疗救助", ["dibao", "medical"]),
        ("phone", "", None),
    ],
)
def test_valid_corrections(slot: str, typed: str, value: object) -> None:
    assert corrected_value(slot, typed) == value


def test_id_number_is_normalised() -> None:
    number = make_number("330111", dt.date(1970, 3, 14), 201)
    assert corrected_value("id_number", f" {number.lower()} ") == number


@pytest.mark.parametrize(
    ("slot", "typed", "reason"),
    [
        ("id_number", "330111197003141234", "校验位不正确"),
        ("hukou_township", "西湖区", "未找到这个乡镇"),
        ("has_residence_permit", "也许", "请填写“是”或“否”"),
        ("programs", "低保、彩票", "未知的申请项目:彩票"),
        ("members", "张三", "不能直接修改"),
        ("last_application_number", "FY-1", "不能直接修改"),
        ("identity_code", "verified", "不能直接修改"),
        ("no_such_slot", "x", "不能直接修改"),
    ],
)
def test_refused_corrections(slot: str, typed: str, reason: str) -> None:
    with pytest.raises(CorrectionError, match=reason):
        corrected_value(slot, typed)


def test_form_rows_show_values_in_chinese() -> None:
    rows = {
        r["slot"]: r
        for r in form_rows(
            {
                "programs": ["dibao", "tekun"],
                "has_residence_permit": False,
                "members": [
                    {"name": "张三", "relation": "本人"},
                    {"name": "李四", "relation": "配偶"},
                ],
            }
        )
    }
    assert rows["programs"]["value"] == "最低生活保障(低保)、特困人员救助供养"
    assert rows["has_residence_permit"]["value"] == "否"
    assert rows["members"]["value"] == "张三(本人)、李四(配偶)"
    assert rows["members"]["editable"] is False
    assert rows["phone"]["filled"] is False


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        ("verified", "已核验"),
        ("skipped", "未核验(手工录入家庭成员)"),
        ("sent", "验证码已发送,待输入"),
        ("123456", "未核验"),  # never a code typed in the middle of a turn
        (None, ""),
    ],
)
def test_form_rows_show_the_identity_verification(state: str | None, shown: str) -> None:
    rows = {r["slot"]: r for r in form_rows({"identity_code": state})}
    assert rows["identity_code"]["value"] == shown
    assert rows["identity_code"]["editable"] is False
