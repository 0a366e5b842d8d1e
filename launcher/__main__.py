"""python -m launcher {run,check,prepare,train,prune-conversations}: the project's launcher."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher")
    sub = parser.add_subparsers(dest="command", required=True)
    profiles = ("development", "production")
    profile_help = "process profile (default: HUIMIN_PROFILE or development); README"
    run_cmd = sub.add_parser("run", help="prepare what is missing, then start every process")
    check = sub.add_parser("check", help="check the settings (database, ports, model folder)")
    prepare = sub.add_parser(
        "prepare", help="migrate, seed demo data, ingest knowledge, train Rasa if needed"
    )
    for command in (run_cmd, check, prepare):
        command.add_argument("--profile", choices=profiles, default=None, help=profile_help)
    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true")
    prune = sub.add_parser(
        "prune-conversations",
        help="delete Rasa conversations idle longer than HUIMIN_CONVERSATION_RETENTION_DAYS and "
        "forget the personal data of unfinished forms idle for --forget-after-hours",
    )
    prune.add_argument("--forget-after-hours", type=float, default=24.0)
    args = parser.parse_args(argv)

    from launcher import run
    from launcher.preflight import PreflightFailed, load_settings, run_checks
    from launcher.rasa_model import train_if_needed

    if args.command == "run":
        return run.main(profile=args.profile)
    if getattr(args, "profile", None):
        os.environ["HUIMIN_PROFILE"] = args.profile
    try:
        settings = load_settings()
    except PreflightFailed as failed:
        for problem in failed.problems:
            print(f"配置错误 / bad setting — {problem}", file=sys.stderr)
        return 2
    if args.command == "check":
        problems = run_checks(settings)
        for problem in problems:
            print(f"配置错误 / bad setting — {problem}", file=sys.stderr)
        return 2 if problems else 0
    if args.command == "prepare":
        run.prepare(settings)
        return 0
    if args.command == "train":
        trained = train_if_needed(settings, force=args.force)
        print("trained a new model" if trained else "model is current")
        return 0
    if args.command == "prune-conversations":
        from launcher.conversations import forget_idle_personal_data, prune_conversations

        deleted = prune_conversations(settings)
        forgotten = forget_idle_personal_data(settings, idle_hours=args.forget_after_hours)
        print(
            f"已删除 {deleted} 个超过 {settings.conversation_retention_days} 天未活动的对话 / "
            f"deleted {deleted} conversations; "
            f"已清除 {forgotten} 个闲置对话中的个人信息 / forgot personal data in {forgotten}"
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
