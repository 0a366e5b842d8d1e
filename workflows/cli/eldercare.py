"""python -m workflows eldercare {import,seed-sample,generate-sample,coverage-map}."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import func, select

from huimin.settings import Settings
from workflows.cli.common import cli_session
from workflows.clock import LOCAL_TZ
from workflows.eldercare import coverage, importer, mapdraw, sample
from workflows.eldercare.communities import (
    DATA_DIR,
    SAMPLE_FACILITIES_FILE,
    SAMPLE_LABEL,
    load_communities,
)
from workflows.eldercare.directory import DirectoryCache
from workflows.eldercare.importer import Mode
from workflows.eldercare.models import Facility
from workflows.eldercare.service import walk_model


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    eldercare = sub.add_parser("eldercare", help="elder-care service directory (幸福颐养)")
    commands = eldercare.add_subparsers(dest="eldercare_command", required=True)
    imp = commands.add_parser("import", help="import facilities from a CSV or .xlsx file (audited)")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--partial",
        action="store_true",
        help="keep the good rows when some are bad (default: refuse the whole file)",
    )
    imp.add_argument("--actor", default="cli", help="who imports (written to the audit log)")
    commands.add_parser(
        "seed-sample", help="import the shipped FICTITIOUS sample directory (not in production)"
    )
    gen = commands.add_parser(
        "generate-sample", help="rewrite the FICTITIOUS sample CSV files (deterministic)"
    )
    gen.add_argument("--out", type=Path, default=DATA_DIR)
    cov = commands.add_parser("coverage-map", help="draw the coverage map (SVG) for the staff page")
    cov.add_argument("--out", type=Path, default=None)


def run(settings: Settings, args: argparse.Namespace) -> int:
    command = args.eldercare_command
    if command == "import":
        return import_file(settings, args.file, mode="partial" if args.partial else "all",
                           actor=f"cli:{args.actor}")  # fmt: skip
    if command == "seed-sample":
        if settings.is_production:
            print("生产环境不能写入示例数据(HUIMIN_ENVIRONMENT=production)", file=sys.stderr)
            return 2
        with cli_session(settings) as session:
            present = session.scalar(select(func.count(Facility.id))) or 0
        if present:
            print(f"养老服务目录已有{present}个机构,未写入{SAMPLE_LABEL}")
            return 0
        return import_file(settings, SAMPLE_FACILITIES_FILE, mode="all", actor="seed-sample")
    if command == "generate-sample":
        community_path, facility_path = sample.write_sample(args.out)
        print(f"已写入{SAMPLE_LABEL}:{community_path}、{facility_path}")
        return 0
    if command == "coverage-map":
        return coverage_map(settings, args.out)
    return 2


def import_file(settings: Settings, path: Path, *, mode: Mode, actor: str) -> int:
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"无法读取文件 {path}:{exc.strerror}", file=sys.stderr)
        return 2
    now = dt.datetime.now(dt.UTC)
    with cli_session(settings) as session:
        try:
            report = importer.import_csv(
                session, data, mode=mode, actor=actor, now=now, source=path.name
            )
        except importer.ImportRefusedError as exc:
            print(f"导入被拒绝:{exc}", file=sys.stderr)
            return 2
        if report.written:
            session.commit()
        else:
            session.rollback()
    for error in report.errors:
        print(f"  {error}", file=sys.stderr)
    print(report.summary())
    return 0 if report.written and not report.errors else 1


def coverage_map(settings: Settings, out: Path | None) -> int:
    walk = walk_model(settings)
    communities = load_communities(settings.eldercare_communities_file)
    with cli_session(settings) as session:
        directory = DirectoryCache().get(session)
    minutes = settings.eldercare_circle_minutes
    rows = coverage.community_coverage(directory, communities, minutes=minutes, walk=walk)
    svg = mapdraw.draw_svg(
        directory,
        communities,
        rows,
        minutes=minutes,
        walk=walk,
        generated_at=dt.datetime.now(LOCAL_TZ),
    )
    path = mapdraw.write_svg(out or settings.effective_eldercare_map_file, svg)
    stats = coverage.summary(rows)
    print(
        f"覆盖图已生成:{path}(村社区{stats['communities']}个,"
        f"{stats['fully_covered']}个六项服务均在{minutes}分钟内)"
    )
    return 0
