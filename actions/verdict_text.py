"""The text of pre-screening verdicts as residents read them (no dialogue logic here).

A 暂不符合 verdict always carries its reasons; a verdict computed from sample standards says so
("示例标准,以民政部门公布为准"). The API puts both in each verdict's ``explanation``; older
answers without it fall back to the reason lines.
"""

from __future__ import annotations

from typing import Any

SAMPLE_VERDICT_LABEL = "示例标准,以民政部门公布为准"
_OUTCOME = {"unlikely": "not_met", "possible": "unknown", "likely": "met"}


def label(verdict: dict[str, Any]) -> str:
    return str(verdict.get("program_label") or verdict.get("program"))


def reasons_text(verdict: dict[str, Any]) -> str:
    """Why: the API's explanation, else the reason lines of this verdict's kind (or all)."""
    explained = str(verdict.get("explanation") or "").strip()
    if explained:
        return explained
    reasons = [r for r in verdict.get("reasons") or [] if isinstance(r, dict) and r.get("text")]
    wanted = _OUTCOME.get(str(verdict.get("verdict")), "")
    picked = [r for r in reasons if r.get("outcome") == wanted] or reasons
    text = ";".join(str(r["text"]).rstrip("。") for r in picked)
    if text:
        text += "。"
    if verdict.get("sample") and SAMPLE_VERDICT_LABEL not in text:
        text += f"(判断所用标准为{SAMPLE_VERDICT_LABEL})"
    return text


def unlikely_lines(verdicts: list[dict[str, Any]]) -> str:
    """One entry per 暂不符合 program, each with its reasons: 低保(暂不符合的原因:…)."""
    parts = []
    for verdict in verdicts:
        why = reasons_text(verdict)
        parts.append(f"{label(verdict)}({why.rstrip('。')})" if why else label(verdict))
    return "、".join(parts)
