"""Command line of the API service: python -m workflows {migrate,serve,create-user,...}."""

from __future__ import annotations

import argparse
import sys

from huimin.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m workflows")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database schema to the newest version (Alembic)")
    serve = sub.add_parser("serve", help="serve the API")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default=None)
    serve.add_argument(
        "--workers", type=int, default=None, help="uvicorn worker processes (HUIMIN_API_WORKERS)"
    )
    user = sub.add_parser("create-user", help="add a staff account")
    user.add_argument("--username", required=True)
    user.add_argument(
        "--password",
        default=None,
        help="omit to type it at a prompt (or pipe it on stdin); argv shows in ps and history",
    )
    user.add_argument("--role", required=True, help="reviewer, counter, supervisor or adviser")
    user.add_argument("--township", default=None, help="12-digit township code; omit for district")
    disable = sub.add_parser("disable-user", help="disable a staff account at once (audited)")
    disable.add_argument("username")
    reset = sub.add_parser(
        "reset-password",
        help="new password for a staff account, typed at a prompt or read from stdin (audited)",
    )
    reset.add_argument("username")
    sub.add_parser("seed-demo", help="demo staff for every township (not in production)")
    sub.add_parser("verify-audit", help="check the audit chain, its triggers and the exported head")
    export = sub.add_parser(
        "export-audit-head", help="check the audit chain and export its head (run on a timer)"
    )
    export.add_argument(
        "--init", action="store_true", help="first export: no head file yet for existing rows"
    )
    sub.add_parser(
        "reseal-audit", help="re-seal the audit chain with the HMAC key (as the schema owner)"
    )
    sms = sub.add_parser("deliver-sms", help="send the outbox's SMS messages (counter applicants)")
    sms.add_argument("--once", action="store_true", help="one batch, then exit")
    sms.add_argument("--interval", type=float, default=10.0, help="seconds between batches")
    sub.add_parser(
        "analytics-consume",
        help="conversation analytics: Rasa events from RabbitMQ (HUIMIN_EVENT_BROKER_URL)",
    )
    from workflows.cli import eldercare

    eldercare.add_parser(sub)
    remind = sub.add_parser("remind-reviews", help="daily: 复核 reminders into the outbox")
    remind.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    discover = sub.add_parser("discover", help="daily: 主动发现 / 免申即享 rules over known people")
    discover.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    summarise = sub.add_parser("summarise-visits", help="daily: closed months' visit figures")
    summarise.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    from huimin import log_privacy

    log_privacy.install()  # every command: ID and mobile numbers masked in its log lines

    if args.command == "migrate":
        from workflows.migrate import upgrade_to_head

        upgrade_to_head(settings)
        return 0
    if args.command == "serve":
        import uvicorn

        from workflows.app import create_app
        from workflows.cli.production import refuse_unsafe_start

        refuse_unsafe_start(settings, process="API (python -m workflows serve)")

        # Behind a TLS proxy: X-Forwarded-Proto/For trusted from forwarded_allow_ips only (the
        # session cookies are then Secure, the pages see https and the client's address).
        workers = args.workers or settings.effective_api_workers
        uvicorn.run(
            # several workers: each process builds its app from the same settings (environment)
            "workflows.asgi:app_from_settings" if workers > 1 else create_app(settings),
            factory=workers > 1,
            workers=workers if workers > 1 else None,
            host=args.host or settings.api_host,
            port=args.port or settings.api_port,
            log_level="info",
            log_config=log_privacy.uvicorn_log_config(),
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
        return 0
    if args.command == "create-user":
        from workflows.cli.users import create_user

        return create_user(
            settings,
            username=args.username,
            password=args.password,
            role=args.role,
            township=args.township,
        )
    if args.command == "disable-user":
        from workflows.cli.users import disable_user

        return disable_user(settings, username=args.username)
    if args.command == "reset-password":
        from workflows.cli.users import reset_password

        return reset_password(settings, username=args.username)
    if args.command == "seed-demo":
        from workflows.cli.seed import seed_demo

        return seed_demo(settings)
    if args.command == "verify-audit":
        from workflows.cli.audit import verify_audit

        return verify_audit(settings)
    if args.command == "export-audit-head":
        from workflows.cli.audit import export_audit_head

        return export_audit_head(settings, init=args.init)
    if args.command == "reseal-audit":
        from workflows.cli.audit import reseal_audit

        return reseal_audit(settings)
    if args.command == "deliver-sms":
        from workflows.cli.production import refuse_unsafe_start
        from workflows.cli.sms import deliver_sms

        refuse_unsafe_start(settings, process="SMS worker (python -m workflows deliver-sms)")
        return deliver_sms(settings, once=args.once, interval_seconds=args.interval)
    if args.command == "analytics-consume":
        from workflows.analytics.consumer import analytics_consume

        return analytics_consume(settings)
    if args.command == "eldercare":
        from workflows.cli import eldercare

        return eldercare.run(settings, args)
    if args.command in ("remind-reviews", "discover", "summarise-visits"):
        from workflows.cli import daily_jobs

        jobs = {
            "remind-reviews": daily_jobs.remind_reviews,
            "discover": daily_jobs.discover,
            "summarise-visits": daily_jobs.summarise_visits,
        }
        return jobs[args.command](settings, day=args.date)
    return 2


if __name__ == "__main__":
    sys.exit(main())
