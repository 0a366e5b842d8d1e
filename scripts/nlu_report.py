"""Print intent macro-F1 from Rasa's NLU report; fail below a regression floor.

Usage: python scripts/nlu_report.py var/results/nlu/intent_report.json [--floor 0.90]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report", type=Path)
    parser.add_argument("--floor", type=float, default=0.90)
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    macro = report["macro avg"]["f1-score"]
    worst = sorted(
        (v["f1-score"], k)
        for k, v in report.items()
        if isinstance(v, dict)
        and "f1-score" in v
        and k not in {"macro avg", "weighted avg", "micro avg"}
    )[:3]
    print(f"intent macro-F1 on the held-out split: {macro:.3f} (floor {args.floor})")
    print("weakest intents: " + ", ".join(f"{name} {f1:.2f}" for f1, name in worst))
    return 0 if macro >= args.floor else 1


if __name__ == "__main__":
    sys.exit(main())
