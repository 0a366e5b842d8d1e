# huimin (惠民联办): two commands for everything. See README.md.
.PHONY: run run-production fault-rasa load-test test envs check lint typecheck pytest rasa-validate rasa-train rasa-test e2e clean-var

PY := .venv/bin/python

envs:
	@bash scripts/ensure-envs.sh all

run: envs
	@$(PY) -m launcher run

# The production profile (README "Production profile"): needs PostgreSQL, Redis, RabbitMQ, nginx
run-production: envs
	@$(PY) -m launcher run --profile production

# By hand: the full fault (make test runs its short form) and the 10-minute load test
fault-rasa: envs
	@$(PY) scripts/faults/rasa_killed_mid_form.py

load-test: envs
	@$(PY) scripts/load_test.py --duration 600 --find-max --step-seconds 60

check: envs
	@$(PY) -m launcher check

test: envs
	@bash scripts/test.sh

lint: envs
	@.venv/bin/ruff check .
	@.venv/bin/lint-imports

typecheck: envs
	@.venv/bin/mypy huimin workflows knowledge actions channels launcher rasa_addons scripts

clean-var:
	rm -rf var/
