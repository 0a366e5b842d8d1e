"""Optional generator: rewords a confident extractive answer with a chat model via LangChain.

Off by default (``HUIMIN_KNOWLEDGE_GENERATOR_MODEL`` unset). The generated text is accepted only
if it cites the numbered passages and every figure in it appears in a cited passage; otherwise,
or on any error, the extractive answer stands.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from knowledge.models import Answer

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "你是富阳区惠民联办的政策咨询助手。只根据下面编号的政策资料，用简体中文简明回答居民的问题，"
    "每句话后用[编号]注明出处。资料里没有的内容、金额和数字一律不要写，不要猜测。"
)
_FIGURE_RE = re.compile(r"\d+(?:\.\d+)?")
_CITE_RE = re.compile(r"\[(\d+)\]")


def acceptable(text: str, answer: Answer) -> bool:
    """Cites only existing passages, cites at least one, invents no figure."""
    cited = [int(n) for n in _CITE_RE.findall(text)]
    if not cited or any(not 1 <= n <= len(answer.citations) for n in cited):
        return False
    sources = "".join(c.text for c in answer.citations)
    body = _CITE_RE.sub("", text)
    return all(figure in sources for figure in _FIGURE_RE.findall(body))


class GroundedGenerator:
    """Wraps any LangChain chat model (``BaseChatModel``)."""

    def __init__(self, chat_model: Any) -> None:
        self.chat_model = chat_model

    def rewrite(self, answer: Answer) -> Answer:
        if not answer.confident or not answer.citations:
            return answer
        passages = "\n".join(f"[{c.n}]《{c.title}》{c.section}：{c.text}" for c in answer.citations)
        messages = [
            ("system", SYSTEM_PROMPT),
            ("human", f"政策资料：\n{passages}\n\n问题：{answer.question}"),
        ]
        try:
            reply = self.chat_model.invoke(messages)
            text = str(getattr(reply, "content", reply)).strip()
        except Exception:  # a generator failure never costs the resident an answer
            log.exception("generator failed; keeping the extractive answer")
            return answer
        if not acceptable(text, answer):
            log.warning("generated answer rejected (uncited or unsupported figure)")
            return answer
        sources = answer.answer.partition("\n来源：")[2]
        full = f"{text}\n来源：{sources}" if sources else text
        return Answer(answer.question, full, True, answer.citations, answer.confidence)


def load_local_generator(model_dir: Path) -> GroundedGenerator:
    """A chat model from a local folder (transformers pipeline through langchain-huggingface)."""
    import os

    if not model_dir.is_dir():
        raise FileNotFoundError(
            f"找不到生成模型文件夹 {model_dir}（HUIMIN_KNOWLEDGE_GENERATOR_MODEL）"
        )
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline

    llm = HuggingFacePipeline.from_model_id(
        model_id=str(model_dir),
        task="text-generation",
        pipeline_kwargs={"max_new_tokens": 300, "do_sample": False, "return_full_text": False},
    )
    return GroundedGenerator(ChatHuggingFace(llm=llm))
