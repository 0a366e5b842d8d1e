"""Split a document into self-contained chunks, each carrying its section heading.

Markdown headings (``#``..``###``) delimit sections; other formats get headings detected
heuristically (article numbers such as 第九条, 一、, short title-like lines). Inside a section,
text is split only at Chinese sentence ends (。！？；) or line breaks, never mid-sentence unless
a single sentence is longer than the chunk size.
"""

from __future__ import annotations

import re

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from knowledge.models import ChunkDraft

CHUNK_SIZE = 320
CHUNK_OVERLAP = 0
SENTENCE_END = "。！？；!?;"
_HEADING_RE = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[章节条]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、])"
)


def _looks_like_heading(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > 40 or line[-1] in SENTENCE_END + "，,：:":
        return False
    return bool(_HEADING_RE.match(line)) or len(line) <= 24


def plain_to_markdown(text: str) -> str:
    """Mark heading-like lines of plain text as Markdown ``##`` headings."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    out = []
    for line in lines:
        if _looks_like_heading(line):
            out.append(f"## {line.strip()}")
        else:
            out.append(line)
    return "\n".join(out)


def _sentence_splitter(chunk_size: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=["\n\n", "\n", "(?<=[。！？!?])", "(?<=[；;])", "(?<=[，,])", ""],
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=CHUNK_OVERLAP,
        strip_whitespace=True,
    )


def split_text(
    text: str, *, title: str, markdown: bool = True, chunk_size: int = CHUNK_SIZE
) -> list[ChunkDraft]:
    """Chunks of ``text``; each chunk's ``section`` is its nearest heading (or ``title``)."""
    source = text if markdown else plain_to_markdown(text)
    header_splitter = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
    )
    sentences = _sentence_splitter(chunk_size)
    drafts: list[ChunkDraft] = []
    for part in header_splitter.split_text(source):
        meta = part.metadata
        section = str(meta.get("h3") or meta.get("h2") or meta.get("h1") or title).strip()
        body = part.page_content.strip()
        if not body:
            continue
        for piece in sentences.split_text(body):
            piece = piece.strip()
            if piece:
                drafts.append(ChunkDraft(section=section, text=piece))
    return drafts
