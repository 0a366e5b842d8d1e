"""Due dates in replies: a provisional one (next year's holidays unknown) says so."""

from __future__ import annotations

from actions.common import due_text


def test_a_provisional_due_date_says_it_may_move() -> None:
    assert due_text({"due_date": "2027-01-08", "due_date_provisional": True}).startswith(
        "2027-01-08(暂定"
    )
    assert due_text({"due_date": "2026-12-20", "due_date_provisional": False}) == "2026-12-20"
    assert due_text({}) == ""


def test_a_due_date_from_a_sample_time_limit_says_so() -> None:
    text = due_text({"due_date": "2026-12-01", "due_date_sample": True})
    assert text == "2026-12-01(办理时限为示例配置,以民政部门公布为准)"
