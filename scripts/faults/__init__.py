"""Fault scripts (issue #18): each starts real processes, injects one fault and counts what was
lost or duplicated. Run from the repository root, e.g.
``.venv/bin/python -m scripts.faults.api_killed --short``."""
