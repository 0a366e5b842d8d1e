# huimin (惠民联办): two commands for everything. See README.md.
.PHONY: run test envs check lint typecheck pytest rasa-validate rasa-train rasa-test e2e clean-var

PY := .venv/bin/python

envs:
	@bash scripts/ensure-envs.sh all

run: envs
	@$(PY) -m launcher run

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
