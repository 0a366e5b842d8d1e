"""Print intent macro-F1 and entity F1 from Rasa's NLU reports; fail below the regression floors.

Usage: python scripts/nlu_report.py var/results/nlu/intent_report.json
           [--floor 0.95] [--entities var/results/nlu/DIETClassifier_report.json]
           [--entity-floor 0.80]

``rasa test nlu`` writes the entity report of each extractor next to the intent report
(``DIETClassifier_report.json``); it is read from there unless ``--entities`` names another.
Entity F1 is the micro average over the entity types (``no_entity`` left out), as Rasa reports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

AVERAGES = {"macro avg", "weighted avg", "micro avg", "accuracy"}
DEFAULT_ENTITY_REPORT = "DIETClassifier_report.json"


def rows(report: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The per-label rows of a scikit-learn style report."""
    return {
        name: row
        for name, row in report.items()
        if isinstance(row, dict) and "f1-score" in row and name not in AVERAGES
    }


def entity_f1(report: dict[str, Any]) -> float:
    """Micro-F1 over the entity types (Rasa's ``micro avg`` row, else computed from the rows)."""
    micro = report.get("micro avg")
    if isinstance(micro, dict) and "f1-score" in micro:
        return float(micro["f1-score"])
    labelled = {k: v for k, v in rows(report).items() if k != "no_entity"}
    support = sum(float(v.get("support") or 0) for v in labelled.values())
    if not support:
        return 0.0
    return sum(v["f1-score"] * float(v.get("support") or 0) for v in labelled.values()) / support


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report", type=Path)
    parser.add_argument("--floor", type=float, default=0.95)
    parser.add_argument("--entities", type=Path, default=None)
    parser.add_argument("--entity-floor", type=float, default=0.80)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    macro = report["macro avg"]["f1-score"]
    worst = sorted((v["f1-score"], k) for k, v in rows(report).items())[:3]
    print(f"intent macro-F1 on the held-out split: {macro:.3f} (floor {args.floor})")
    print("weakest intents: " + ", ".join(f"{name} {f1:.2f}" for f1, name in worst))
    ok = macro >= args.floor

    entities_path = args.entities or args.report.with_name(DEFAULT_ENTITY_REPORT)
    if entities_path.exists():
        entities = json.loads(entities_path.read_text(encoding="utf-8"))
        f1 = entity_f1(entities)
        print(f"entity F1 on the held-out split: {f1:.3f} (floor {args.entity_floor})")
        per_type = sorted(
            (k, v["f1-score"], int(v.get("support") or 0))
            for k, v in rows(entities).items()
            if k != "no_entity"
        )
        print("entities: " + ", ".join(f"{k} {f:.2f} (n={n})" for k, f, n in per_type))
        ok = ok and f1 >= args.entity_floor
    elif args.entities:
        print(f"entity report not found: {entities_path}")
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
