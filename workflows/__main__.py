"""Command line of the API service: python -m workflows {migrate,serve,...}."""

from __future__ import annotations

import argparse
import sys

from huimin.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflows")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database schema to the newest version (Alembic)")
    serve = sub.add_parser("serve", help="serve the API")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default=None)
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "migrate":
        from workflows.migrate import upgrade_to_head

        upgrade_to_head(settings)
        return 0
    if args.command == "serve":
        import uvicorn

        from workflows.app import create_app

        uvicorn.run(
            create_app(settings),
            host=args.host or settings.api_host,
            port=args.port or settings.api_port,
            log_level="info",
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
