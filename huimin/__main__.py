"""``python -m huimin run --profile production``: the launcher's command line under the
project's name. It hands over by ``exec`` (no import of ``launcher``: ``huimin`` stays the
ground floor of the import layers); every argument goes to ``python -m launcher``."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.execv(sys.executable, [sys.executable, "-m", "launcher", *sys.argv[1:]])


if __name__ == "__main__":
    main()
