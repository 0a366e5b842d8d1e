"""Read one source file into text with LangChain's community loaders.

Markdown and plain text go through ``TextLoader``, HTML through ``BSHTMLLoader``, PDF through
``PyPDFLoader`` and DOCX through ``Docx2txtLoader``. Every failure is raised as
:class:`LoadError` so ingestion can report the file by name and carry on.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.frontmatter import split_front_matter

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")


class LoadError(Exception):
    """A file could not be read or parsed."""


@dataclass(frozen=True)
class LoadedFile:
    text: str
    front_matter: dict[str, Any]
    markdown: bool
    title_hint: str


def _loader(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from langchain_community.document_loaders import (
            BSHTMLLoader,
            Docx2txtLoader,
            PyPDFLoader,
            TextLoader,
        )
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown", ".txt"):
        return TextLoader(str(path), encoding="utf-8")
    if suffix in (".html", ".htm"):
        return BSHTMLLoader(
            str(path),
            open_encoding="utf-8",
            bs_kwargs={"features": "html.parser"},
            get_text_separator="\n",
        )
    if suffix == ".pdf":
        return PyPDFLoader(str(path))
    if suffix == ".docx":
        return Docx2txtLoader(str(path))
    raise LoadError(f"unsupported file type {suffix}")


def load_file(path: Path) -> LoadedFile:
    """Load ``path``; raise :class:`LoadError` with a short reason on any failure."""
    try:
        documents = _loader(path).load()
    except LoadError:
        raise
    except Exception as exc:  # loaders raise many kinds; all mean "unreadable"
        raise LoadError(f"{type(exc).__name__}: {exc}"[:200]) from exc
    text = "\n\n".join(d.page_content for d in documents)
    title_hint = path.stem
    if documents and documents[0].metadata.get("title"):
        title_hint = str(documents[0].metadata["title"]).strip() or title_hint
    markdown = path.suffix.lower() in (".md", ".markdown")
    front: dict[str, Any] = {}
    if markdown or path.suffix.lower() == ".txt":
        try:
            front, text = split_front_matter(text)
        except Exception as exc:
            raise LoadError(f"front matter: {exc}"[:200]) from exc
    if not text.strip():
        raise LoadError("no text could be extracted")
    return LoadedFile(text=text, front_matter=front, markdown=markdown, title_hint=title_hint)
