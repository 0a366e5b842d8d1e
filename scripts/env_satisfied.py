"""Exit 0 when this Python environment already has what pyproject.toml and the lock ask for.

``scripts/ensure-envs.sh`` runs it when its stamp does not match (the inputs changed, or the
environment was built from another checkout): an environment that already satisfies every
requirement (``[project] dependencies`` and the ``dev`` extra) and every pin of
``requirements/main.lock`` needs no ``pip install``. Prints what is missing otherwise (exit 1).
Removing a dependency never needs an install: a left-over package does no harm.
"""

from __future__ import annotations

import importlib.metadata as metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def missing() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(line) for line in project["dependencies"]]
    wanted += [Requirement(line) for line in project["optional-dependencies"]["dev"]]
    for line in (ROOT / "requirements" / "main.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            wanted.append(Requirement(line))
    problems = [] if _installed(project["name"]) else [f"{project['name']} (the project itself)"]
    for requirement in wanted:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        version = _installed(requirement.name)
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} (installed: {version or 'none'})")
    return problems


def main() -> int:
    problems = missing()
    for problem in problems:
        print(f"missing: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
