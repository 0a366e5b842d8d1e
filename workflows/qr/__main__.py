"""``python -m workflows.qr build --out var/qr``: write the 码上办 QR codes and their page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from huimin.settings import Settings, get_settings


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflows.qr")
    sub = parser.add_subparsers(dest="command", required=True)
    build_parser = sub.add_parser("build", help="write PNG/SVG codes, manifest.json, index.html")
    build_parser.add_argument("--out", type=Path, default=None, help="default: <var_dir>/qr")
    args = parser.parse_args(argv)
    settings = settings or get_settings()

    from workflows.qr.build import build

    out_dir = args.out or settings.var_dir / "qr"
    written = build(settings, out_dir)
    codes = sum(1 for path in written if path.suffix == ".png")
    print(f"已生成 {codes} 个二维码(PNG+SVG)与打印页 {out_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
