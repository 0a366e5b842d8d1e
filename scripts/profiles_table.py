"""Write docs/PROCESS-PROFILES.md from workflows/cases/data/profiles.yaml.

Usage: .venv/bin/python scripts/profiles_table.py [--check]
(--check: exit 1 when the committed file differs from the data)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflows.cases.profiles import load_profiles  # noqa: E402
from workflows.cases.profiles_table import render  # noqa: E402

TARGET = ROOT / "docs" / "PROCESS-PROFILES.md"


def main(argv: list[str]) -> int:
    text = render(load_profiles())
    if "--check" in argv:
        same = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{TARGET} differs: run scripts/profiles_table.py")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
