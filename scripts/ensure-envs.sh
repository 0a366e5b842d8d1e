#!/usr/bin/env bash
# Create (or update) the two Python environments, idempotently.
#   .venv       the project: API service, knowledge base, action server, channels, tests
#   .venv-rasa  Rasa 3.6.21 on Python 3.11 by the pinned recipe in requirements/rasa-*.txt
# A stamp file holds the hash of each environment's inputs; an unchanged environment costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

ensure_main() {
  local stamp=.venv/.huimin-stamp want
  want=$(hash_of pyproject.toml requirements/main.lock)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return; fi
  # Inputs changed (or the environment was built from another checkout): nothing to install when
  # it already satisfies every requirement and pin (a dependency was only removed, say).
  if [[ -x .venv/bin/python ]] && .venv/bin/python scripts/env_satisfied.py >/dev/null 2>&1; then
    return
  fi
  echo "==> preparing .venv (project environment)"
  [[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip wheel setuptools
  # torch is pinned to the CPU build (torch==2.13.0); the lock keeps every other version fixed.
  .venv/bin/python -m pip install -q -c requirements/main.lock -e '.[dev]'
  echo "$want" > "$stamp"
}

ensure_rasa() {
  local stamp=.venv-rasa/.huimin-stamp want
  want=$(hash_of requirements/rasa-py311.txt requirements/rasa-constraints-py311.txt)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return; fi
  echo "==> preparing .venv-rasa (Rasa 3.6.21)"
  [[ -x .venv-rasa/bin/python ]] || "$PYTHON" -m venv .venv-rasa
  .venv-rasa/bin/python -m pip install -q --upgrade pip wheel
  .venv-rasa/bin/python -m pip install -q -r requirements/rasa-py311.txt \
      -c requirements/rasa-constraints-py311.txt
  # Rasa and rasa-sdk 3.6 declare Requires-Python <3.11; their dependencies are installed above.
  .venv-rasa/bin/python -m pip install -q --no-deps --ignore-requires-python \
      rasa==3.6.21 rasa-sdk==3.6.2
  echo "$want" > "$stamp"
}

case "${1:-all}" in
  main) ensure_main ;;
  rasa) ensure_rasa ;;
  all) ensure_main; ensure_rasa ;;
  *) echo "usage: $0 [main|rasa|all]" >&2; exit 2 ;;
esac
