"""Due dates in replies: a provisional one (next year's holidays unknown) says so."""

from __future__ import annotations

from actions.common import due_text


def test_a_provisional_due_date_says_it_may_move() -> None:
    assert due_text({"due_date": "2027-01-08", "due_date_provisional": True}).startswith(
        "2027-01-08(暂定"
    )
    assert due_text({"due_date": "2026-12-20", "due_date_provisional": False}) == "2026-12-20"
    assert due_text({}) == ""
