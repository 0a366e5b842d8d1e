"""Typo tolerance: a question word the documents never use, one character away from a document
word with the same pinyin (低宝 -> 低保, 申情 -> 申请, 高令 -> 高龄), is read as that word.

Residents type with pinyin input methods, so the common slip is a homophone of one character.
Only windows of 2-4 Chinese characters that are neither corpus words nor words of the general
dictionary are candidates (工伤 is a word, not a typo of 工商; 打到 is not a typo of 达到), the
corpus word must have exactly the same toneless pinyin and length and differ in exactly one
character, and the most frequent such corpus word wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from pypinyin import Style, lazy_pinyin

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
WINDOWS = (4, 3, 2)


def pinyin_key(word: str) -> str:
    return " ".join(lazy_pinyin(word, style=Style.NORMAL, errors="ignore"))


class PinyinCorrector:
    """Built from the corpus vocabulary (word -> document frequency); cheap per question."""

    def __init__(
        self,
        frequencies: Mapping[str, int],
        is_word: Callable[[str], bool] = lambda _: False,
    ) -> None:
        self.vocabulary = frozenset(frequencies)
        self.is_word = is_word
        by_key: dict[str, list[str]] = {}
        for word in frequencies:
            if _HAN_WORD.fullmatch(word):
                by_key.setdefault(pinyin_key(word), []).append(word)
        # the most frequent corpus word first, ties by the word itself (deterministic)
        self._by_key = {
            key: sorted(words, key=lambda w: (-frequencies[w], w)) for key, words in by_key.items()
        }

    @classmethod
    def from_words(
        cls, words: Iterable[str], is_word: Callable[[str], bool] = lambda _: False
    ) -> PinyinCorrector:
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        return cls(counts, is_word)

    def _candidate(self, window: str) -> str | None:
        if window in self.vocabulary or self.is_word(window):
            return None
        for word in self._by_key.get(pinyin_key(window), ()):
            if sum(a != b for a, b in zip(word, window, strict=True)) == 1:
                return word
        return None

    def correct(self, normalised_text: str) -> str:
        """The text with one-character homophone typos of corpus words replaced."""
        if not self._by_key:
            return normalised_text
        return _HAN_RUN.sub(lambda m: self._correct_run(m.group(0)), normalised_text)

    def _correct_run(self, run: str) -> str:
        # a window touching a corpus word already present in the run is left alone (有老年 is
        # 有 + 老年, not a typo of 有劳)
        protected = [False] * len(run)
        for size in range(len(run), 1, -1):
            for i in range(len(run) - size + 1):
                if run[i : i + size] in self.vocabulary:
                    for j in range(i, i + size):
                        protected[j] = True
        out: list[str] = []
        i = 0
        while i < len(run):
            for size in WINDOWS:
                window = run[i : i + size]
                if len(window) < size or any(protected[i : i + size]):
                    continue
                word = self._candidate(window)
                if word is not None:
                    out.append(word)
                    i += size
                    break
            else:
                out.append(run[i])
                i += 1
        return "".join(out)
