"""Splitting keeps section headings with every chunk and cuts only at Chinese sentence ends."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.splitter import split_text

SENTENCE = "低保家庭的收入按月计算，并扣除必要的就业成本。"


def test_every_chunk_carries_its_section_heading() -> None:
    text = (
        "# 标题\n\n## 第四条 到哪里申请\n向户籍所在地申请。\n\n"
        "## 第五条 异地申请\n可以在居住地申请。"
    )
    chunks = split_text(text, title="标题")
    assert [(c.section, c.text) for c in chunks] == [
        ("第四条 到哪里申请", "向户籍所在地申请。"),
        ("第五条 异地申请", "可以在居住地申请。"),
    ]


def test_long_section_is_split_at_sentence_ends_only() -> None:
    body = SENTENCE * 40  # ~960 characters, one section
    chunks = split_text(f"## 第十三条 收入\n{body}", title="t", chunk_size=200)
    assert len(chunks) > 3
    assert all(c.section == "第十三条 收入" for c in chunks)
    assert all(c.text.endswith("。") and len(c.text) <= 200 for c in chunks)
    assert "".join(c.text for c in chunks) == body


def test_other_sentence_ends_are_respected() -> None:
    body = "能申请吗？可以申请！先交材料；再等调查。" * 20
    chunks = split_text(f"## 问答\n{body}", title="t", chunk_size=60)
    assert all(c.text[-1] in "。！？；" for c in chunks)
    assert "".join(c.text for c in chunks) == body


def test_plain_text_article_lines_become_sections() -> None:
    text = "第一条 申请条件\n家庭人均收入低于当地标准。\n第二条 办理时限\n30个工作日内办结。"
    chunks = split_text(text, title="某办法", markdown=False)
    assert [(c.section, c.text) for c in chunks] == [
        ("第一条 申请条件", "家庭人均收入低于当地标准。"),
        ("第二条 办理时限", "30个工作日内办结。"),
    ]


def test_text_before_any_heading_takes_the_document_title() -> None:
    chunks = split_text("没有标题的一段话，说明补贴政策。", title="补贴说明")
    assert chunks[0].section == "补贴说明"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["低保", "补贴", "老人", "申请", "，", "30"]), min_size=1, max_size=30)
)
def test_no_text_is_lost_or_duplicated(words: list[str]) -> None:
    sentences = ["".join(words[i : i + 5]) + "。" for i in range(0, len(words), 5)]
    body = "".join(sentences) * 6
    chunks = split_text(f"## 节\n{body}", title="t", chunk_size=50)
    assert re.sub(r"\s", "", "".join(c.text for c in chunks)) == re.sub(r"\s", "", body)
