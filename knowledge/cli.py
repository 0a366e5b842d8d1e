"""Command line: ``python -m knowledge ingest|ask|status|calibrate``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from huimin.settings import Settings
from knowledge.calibration import DEFAULT_TARGET
from knowledge.embedding import EmbeddingModelError
from knowledge.models import AUDIENCES, Answer
from knowledge.service import KnowledgeService


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        _print_json(answer.contract_dict())
        return
    sys.stdout.write(answer.answer + "\n")
    if not answer.confident:
        sys.stdout.write("（置信度不足，未作回答）\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="惠民联办政策知识库")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="把政策文档导入知识库（未变化的文档不会重复处理）")
    ingest.add_argument("--docs", type=Path, default=None, help="文档目录（默认取设置）")
    ask = sub.add_parser("ask", help="提问")
    ask.add_argument("question", nargs="?", default=None, help="问题")
    ask.add_argument("--batch", type=Path, default=None, help="问题文件，每行一个问题")
    ask.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    ask.add_argument("--audience", choices=AUDIENCES, default="resident")
    sub.add_parser("status", help="知识库状态")
    calibrate = sub.add_parser(
        "calibrate", help="用评测集的开发集校准拒答阈值，写入 knowledge/data/tuning.json"
    )
    calibrate.add_argument(
        "--target", type=float, default=DEFAULT_TARGET, help="开发集中无法回答的问题至少拒答的比例"
    )
    calibrate.add_argument("--dry-run", action="store_true", help="只显示结果，不写入")
    calibrate.add_argument(
        "--tuning-file",
        type=Path,
        default=None,
        help="写入的参数文件（默认 knowledge/data/tuning.json）",
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    settings: Settings | None = None,
    service: KnowledgeService | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    service = service or KnowledgeService(settings or Settings())
    try:
        return _run(args, service)
    except EmbeddingModelError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2


def _run(args: argparse.Namespace, service: KnowledgeService) -> int:
    if args.command == "ingest":
        report = service.ingest(args.docs)
        for source, reason in report.failed.items():
            sys.stderr.write(f"无法读取，已跳过：{source}（{reason}）\n")
        _print_json(report.as_dict())
        return 0
    if args.command == "status":
        _print_json(service.status())
        return 0
    if args.command == "calibrate":
        from knowledge.calibration import calibrate
        from knowledge.tuning import TUNING_FILE, save_params

        if not 0 < args.target <= 1:
            sys.stderr.write("--target 必须在 0 和 1 之间\n")
            return 2
        result = calibrate(service, target=args.target)
        if not args.dry_run:
            save_params(
                service.settings.embedding_model, result.params, args.tuning_file or TUNING_FILE
            )
        _print_json({**result.as_dict(), "saved": not args.dry_run})
        return 0
    if args.batch is not None:
        for line in args.batch.read_text(encoding="utf-8").splitlines():
            if line.strip():
                _print_answer(service.ask(line.strip(), audience=args.audience), True)
        return 0
    if args.question is None:
        sys.stderr.write("请提供问题，或使用 --batch 文件\n")
        return 2
    _print_answer(service.ask(args.question, audience=args.audience), args.json)
    return 0
