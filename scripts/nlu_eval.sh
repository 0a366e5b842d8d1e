#!/usr/bin/env bash
# Evaluate intent classification on the held-out split (bot/nlu_holdout, never trained on)
# and print the intent macro-F1. Usage: scripts/nlu_eval.sh [model] (default var/models/huimin.tar.gz)
# Train first: .venv-rasa/bin/rasa train --domain bot/domain --data bot/data --config config.yml \
#   --out var/models --fixed-model-name huimin
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-var/models/huimin.tar.gz}"
out="var/results/nlu"
export RASA_TELEMETRY_ENABLED=false
export RASA_CACHE_DIRECTORY="${RASA_CACHE_DIRECTORY:-var/rasa-cache}"
mkdir -p "$out"
.venv-rasa/bin/rasa test nlu --nlu bot/nlu_holdout --model "$model" --out "$out" >"$out/rasa-test-nlu.log" 2>&1 \
  || { tail -n 30 "$out/rasa-test-nlu.log"; exit 1; }
.venv/bin/python - "$out/intent_report.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
intents = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v
           and k not in ("macro avg", "weighted avg", "micro avg")}
for name, row in sorted(intents.items(), key=lambda item: item[1]["f1-score"]):
    print(f"{name:20s} f1={row['f1-score']:.3f} support={row['support']}")
macro = report["macro avg"]["f1-score"]
print(f"utterances={int(report['macro avg']['support'])} intents={len(intents)} "
      f"accuracy={report.get('accuracy', 0):.3f} intent_macro_f1={macro:.3f}")
sys.exit(0 if macro >= 0.95 else 2)
PY
