"""Refusal threshold calibrated on the dev half of the evaluation questions.

``python -m knowledge calibrate`` (and ``scripts/bench_knowledge.py --tune``) search
``oov_weight`` x ``bigram_share`` x ``min_confidence`` for the setting that refuses at least
``target`` of the dev questions the documents do not cover while answering as many dev
answerable questions as possible, and save it to ``knowledge/data/tuning.json``.
Held-out questions are never read here, and neither is ``data/not_covered.txt`` (a safety net
on top of the threshold; counting it would loosen the threshold for every other question).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from knowledge.evalset import chosen, load_questions
from knowledge.retrieval import RetrievalParams
from knowledge.service import KnowledgeService

OOV_WEIGHTS = (0.2, 0.4, 0.6, 0.8, 1.0)
BIGRAM_SHARES = (0.0, 0.25, 0.5, 0.75)
THRESHOLDS = tuple(round(0.02 * i, 2) for i in range(5, 46))


@dataclass(frozen=True)
class Calibration:
    params: RetrievalParams
    refused: float  # dev unanswerable questions refused
    answered: float  # dev answerable questions answered confidently
    n_answerable: int
    n_unanswerable: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_confidence": self.params.min_confidence,
            "oov_weight": self.params.oov_weight,
            "bigram_share": self.params.bigram_share,
            "dev_refused": round(self.refused, 4),
            "dev_answered": round(self.answered, 4),
            "n_answerable": self.n_answerable,
            "n_unanswerable": self.n_unanswerable,
        }


def calibrate(
    service: KnowledgeService,
    rows: list[dict[str, Any]] | None = None,
    *,
    target: float = 0.9,
    params: RetrievalParams | None = None,
) -> Calibration:
    """The safest setting meeting ``target`` refusals on dev that answers the most."""
    base = params or service.params
    dev = chosen(rows if rows is not None else load_questions(), "all", "dev")
    retriever = service.retriever
    tops = []
    for row in dev:
        result = retriever.search(row["question"], audience=row["audience"], params=base)
        # the not-covered list is ignored here on purpose: it is a safety net on top of the
        # threshold, and counting it would loosen the threshold for everything else
        top = result.hits[0] if result.hits and result.hits[0].bm25 > 0 else None
        tops.append((row, result.query_tokens, result.query_bigrams, top))
    answerable = [t for t in tops if t[0]["answerable"]]
    unanswerable = [t for t in tops if not t[0]["answerable"]]
    best: tuple[float, float, RetrievalParams] | None = None
    best_rates = (0.0, 0.0)
    for oov in OOV_WEIGHTS:
        for share in BIGRAM_SHARES:
            trial = replace(base, oov_weight=oov, bigram_share=share)
            conf_a = [_conf(retriever, t, trial) for t in answerable]
            conf_u = [_conf(retriever, t, trial) for t in unanswerable]
            for threshold in THRESHOLDS:
                refused = sum(c < threshold for c in conf_u) / max(len(conf_u), 1)
                if refused < target:
                    continue
                answered = sum(c >= threshold for c in conf_a) / max(len(conf_a), 1)
                key = (answered, refused)
                if best is None or key > best[:2]:
                    best = (answered, refused, replace(trial, min_confidence=threshold))
                    best_rates = (refused, answered)
    if best is None:  # nothing reaches the target: the strictest threshold
        chosen_params = replace(base, min_confidence=THRESHOLDS[-1])
        conf_u = [_conf(retriever, t, chosen_params) for t in unanswerable]
        conf_a = [_conf(retriever, t, chosen_params) for t in answerable]
        best_rates = (
            sum(c < THRESHOLDS[-1] for c in conf_u) / max(len(conf_u), 1),
            sum(c >= THRESHOLDS[-1] for c in conf_a) / max(len(conf_a), 1),
        )
    else:
        chosen_params = best[2]
    return Calibration(
        chosen_params, best_rates[0], best_rates[1], len(answerable), len(unanswerable)
    )


def _conf(retriever: Any, entry: tuple[Any, ...], params: RetrievalParams) -> float:
    _, tokens, bigrams, top = entry
    if top is None:
        return 0.0
    return float(retriever.confidence(tokens, bigrams, top.chunk, params=params))
