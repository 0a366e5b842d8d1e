"""Grounded, extractive answers with numbered citations; a Chinese refusal when unsure.

Only sentences copied from cited passages are returned, so every figure in an answer is in a
cited passage. A sentence is used only if it matches the question's words (a good share of the
best sentence's score); a sentence from a second passage must also match the question's topic
word, so a passage about another subject is never appended. Around the chosen sentences of the
best passage a window of neighbouring sentences (same passage, hence same section) is added when
they match at least one question word or continue a sentence that ends in a colon, so a matched
passage yields the fact next to the words that matched. Below the confidence threshold the
answer says so and offers a human (转人工).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.models import Answer, Citation, Suggestion, date_label_of
from knowledge.retrieval import Hit, SearchResult

MAX_SENTENCES = 3
MAX_CITATIONS = 3
SECOND_PASSAGE_RATIO = 0.85  # a second passage is considered only if its score is this close
SENTENCE_RATIO = 0.5  # a sentence of the best passage must score this share of the best one
OTHER_PASSAGE_RATIO = 0.95  # ... and a sentence of another passage nearly as much as the best
WINDOW = 1  # neighbouring sentences on each side of a chosen sentence of the best passage
MAX_WINDOW_SENTENCES = 2  # at most this many sentences added by the window
MAX_ANSWER_CHARS = 320  # the window adds sentences only while the body stays within this

# Answer units are whole sentences: a list joined by ；(刚性支出 items, 乡镇 names) stays one unit.
_SENTENCE_RE = re.compile(r"[^。！？!?]+[。！？!?]?")

EMPTY_REPLY = "请告诉我您想咨询的问题，例如：“低保怎么申请？”“老人吃饭有补贴吗？”"
UNREADABLE_REPLY = (
    "抱歉，没能看懂您的问题。请用文字简单描述您想了解的事情，例如：“户口不在这边能申请低保吗？”"
    "如需人工帮助，请回复“转人工”。"
)
MAX_SUGGESTIONS = 3
MAX_LABEL_CHARS = 26
SUGGEST_REPLY = (
    "抱歉，我没能确定您问的是哪一条规定，不敢随意回答。您想了解的是不是下面这些内容？"
    "点一下就给您看相关规定；都不是的话，可以换个说法再问，或回复“转人工”。"
)
_LEADING_NUMBER_RE = re.compile(r"^(?:专栏)?\d+\s+")

NOT_FOUND_REPLY = (
    "抱歉，惠民联办的政策资料里没有找到能可靠回答这个问题的内容，我不能随意回答。"
    "您可以换个说法再问，或回复“转人工”，由工作人员为您解答；也可以咨询所在村（社区）"
    "或乡镇（街道）社会救助服务站。"
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]


def _matched(sentence: str, tokens: set[str]) -> set[str]:
    return {t for t in tokens if t in sentence}


def _sentence_score(sentence: str, tokens: set[str], weights: dict[str, float]) -> float:
    return sum(weights.get(t, 0.0) for t in _matched(sentence, tokens))


Picked = tuple[float, int, int, str, frozenset[str]]


def _window(best: list[Picked], picked: list[Picked], lead_ci: int) -> list[Picked]:
    """Neighbours of the chosen sentences of the best passage that match a question word
    (or continue a chosen sentence ending in a colon), nearest first, within the budgets."""
    by_pos = {p[2]: p for p in picked if p[1] == lead_ci}
    have = {(p[1], p[2]) for p in best}
    length = sum(len(p[3]) for p in best)
    added: list[Picked] = []
    for p in sorted((p for p in best if p[1] == lead_ci), key=lambda p: -p[0]):
        for step in range(1, WINDOW + 1):
            for pos in (p[2] + step, p[2] - step):
                near = by_pos.get(pos)
                if near is None or (near[1], near[2]) in have:
                    continue
                continues = pos == p[2] + 1 and p[3].rstrip().endswith(("：", ":"))
                if not (near[4] or continues):
                    continue
                if len(added) >= MAX_WINDOW_SENTENCES or length + len(near[3]) > MAX_ANSWER_CHARS:
                    return added
                added.append(near)
                have.add((near[1], near[2]))
                length += len(near[3])
    return added


def citation_of(n: int, hit: Hit) -> Citation:
    meta = hit.chunk.meta
    return Citation(
        n=n,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        section=str(meta.get("section", "")),
        issuer=str(meta.get("issuer", "")),
        effective_date=str(meta.get("effective_date", "")),
        text=hit.chunk.text,
        score=round(hit.score, 4),
        doc_number=str(meta.get("doc_number", "")),
        date_label=date_label_of(
            str(meta.get("effective_date", "")), str(meta.get("date_label", "")) or None
        ),
    )


def _meta_parts(citation: Citation) -> list[str]:
    """Issuer, 文号 (where known) and the date as it should be read."""
    parts = [citation.issuer]
    if citation.doc_number and not citation.doc_number.startswith("（"):
        parts.append(citation.doc_number)
    if citation.dated:
        parts.append(citation.dated)
    return [p for p in parts if p]


def compose(
    question: str,
    result: SearchResult,
    *,
    confident: bool,
    idf: dict[str, float],
    normalise: Callable[[str], str],
    close: list[Hit] | None = None,
) -> Answer:
    """Build the answer from ``result``; ``normalise`` puts a sentence in the index's form.

    Not confident: a refusal, offering the ``close`` passages to pick from (see
    :meth:`knowledge.retrieval.HybridRetriever.close_passages`) when there are any."""
    if not confident or not result.hits:
        offered = suggestions(close or [])
        reply = SUGGEST_REPLY if offered else NOT_FOUND_REPLY
        return Answer(question, reply, False, [], result.confidence, offered)
    top = result.hits[0]
    chosen = [top]
    for hit in result.hits[1:MAX_CITATIONS]:
        if hit.score >= SECOND_PASSAGE_RATIO * top.score and hit.bm25 > 0:
            chosen.append(hit)
    # the question's words, and the corpus words standing for those the corpus lacks
    tokens = {t for t in (*result.query_tokens, *result.bridged_tokens) if not t.isdigit()}
    # (score, citation index, position, text, matched question words)
    picked: list[Picked] = []
    for ci, hit in enumerate(chosen):
        asked: frozenset[str] = frozenset()
        for pos, sentence in enumerate(sentences(hit.chunk.text)):
            normalised = normalise(sentence)
            if sentence.endswith(("？", "?")):
                # a passage's own question ("申请后多久出结果？") is not an answer, but the
                # sentence right after it is: it inherits the words the question matched
                asked = frozenset(_matched(normalised, tokens))
                continue
            matched = frozenset(_matched(normalised, tokens)) | asked
            asked = frozenset()
            score = sum(idf.get(t, 0.0) for t in matched)
            if ci == 0:
                score += 1e-3  # prefer the best passage on ties
            picked.append((score, ci, pos, sentence, matched))
    if not picked:
        picked.append((0.0, 0, 0, top.chunk.text, frozenset()))
    picked.sort(key=lambda p: (-p[0], p[1], p[2]))
    lead = picked[0]
    # The question's topic word: the rarest question word the best sentence matches. A
    # sentence from another passage must match it too, so a passage about another subject
    # (a 特困 rule under an elder-care question) is never appended.
    topic = max(lead[4], key=lambda t: (idf.get(t, 0.0), t)) if lead[4] else None

    def relevant(p: Picked) -> bool:
        if p[0] <= 0:
            return False
        if p[1] == lead[1]:
            return p[0] >= SENTENCE_RATIO * lead[0]
        return p[0] >= OTHER_PASSAGE_RATIO * lead[0] and (topic is None or topic in p[4])

    best = [p for p in picked if relevant(p)][:MAX_SENTENCES] or picked[:1]
    best += _window(best, picked, lead[1])
    used = sorted({p[1] for p in best})
    renumber = {ci: n for n, ci in enumerate(used, start=1)}
    best.sort(key=lambda p: (p[1], p[2]))
    body = "".join(f"{p[3]}[{renumber[p[1]]}]" for p in best)
    citations = [citation_of(renumber[ci], chosen[ci]) for ci in used]
    sources = "；".join(
        f"[{c.n}]《{c.title}》{c.section}（{'，'.join(_meta_parts(c))}）" for c in citations
    )
    text = f"{body}\n来源：{sources}"
    return Answer(question, text, True, citations, result.confidence)


def suggestion_label(section: str, title: str) -> str:
    """The section heading as a button reads it: numbering dropped, cut to a short line."""
    label = _LEADING_NUMBER_RE.sub("", section.strip()) or title
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def suggestions(hits: list[Hit]) -> list[Suggestion]:
    """The first ``MAX_SUGGESTIONS`` of ``hits`` from distinct sections, as buttons read them."""
    out: list[Suggestion] = []
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        meta = hit.chunk.meta
        title, section = str(meta.get("title", "")), str(meta.get("section", ""))
        key = (str(meta.get("doc_id", "")), section)
        if key in seen:
            continue
        seen.add(key)
        out.append(Suggestion(hit.chunk.id, suggestion_label(section, title), title, section))
        if len(out) == MAX_SUGGESTIONS:
            break
    return out
