"""Chinese word segmentation for BM25: jieba with the domain dictionary, stop words removed."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import jieba

_TOKEN_OK = re.compile(r"[\u4e00-\u9fffa-z0-9]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


class Tokenizer:
    """A private jieba instance (no global state) loaded with ``userdict.txt``."""

    def __init__(self, userdict: Path, stopwords: Path) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._jieba.load_userdict(str(userdict))
        self.stopwords = frozenset(
            w.strip() for w in stopwords.read_text(encoding="utf-8").split() if w.strip()
        )

    def is_dictionary_word(self, word: str) -> bool:
        """Whether jieba's dictionary (general + domain) knows ``word`` as a word."""
        return bool(self._jieba.FREQ.get(word))

    def add_word(self, word: str) -> None:
        self._jieba.add_word(word, freq=100)

    def bigrams(self, normalised_text: str) -> list[str]:
        """Overlapping character pairs of each run of Chinese characters (the second lexical field).

        They match where word segmentation cuts a resident's phrase differently from the
        document's; pairs that are themselves stop words ("什么", "可以") are left out.
        """
        out = []
        for run in _HAN_RUN.findall(normalised_text):
            for i in range(len(run) - 1):
                pair = run[i : i + 2]
                if pair not in self.stopwords:
                    out.append(pair)
        return out

    def tokens(self, normalised_text: str) -> list[str]:
        """Search-mode tokens of already normalised text, without stop words."""
        out = []
        for token in self._jieba.cut_for_search(normalised_text, HMM=True):
            token = token.strip()
            if not token or token in self.stopwords or not _TOKEN_OK.search(token):
                continue
            out.append(token)
        return out
