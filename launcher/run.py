"""`make run`: check settings, prepare state (schema, demo data, knowledge index, Rasa model),
then start every process (argument lists, no shell) and stop all of them on Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from huimin.settings import PROJECT_ROOT, Settings
from launcher.balancer import write_nginx_conf
from launcher.chroma_server import ingest_into_server
from launcher.health_table import print_health_when_ready
from launcher.preflight import PreflightFailed, load_settings, run_checks
from launcher.processes import ProcessSpec, child_environment, process_specs, write_endpoints
from launcher.rasa_model import train_if_needed
from launcher.supervisor import Child, Supervisor


def _step(title: str) -> None:
    print(f"==> {title}", flush=True)


def _run_module(settings: Settings, *args: str, extra_env: dict[str, str] | None = None) -> None:
    env = {**child_environment(settings), **(extra_env or {})}
    subprocess.run([sys.executable, "-m", *args], cwd=PROJECT_ROOT, check=True, env=env)


def pid_dir(settings: Settings) -> Path:
    """``<name>.pid`` of every running child (scripts/faults read them)."""
    return settings.var_dir / "run"


def prepare(settings: Settings) -> None:
    """Create whatever is missing; cheap when nothing changed."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    _step("数据库结构 / database schema (alembic upgrade head)")
    _run_module(settings, "workflows", "migrate")
    if not settings.is_production:
        _step("演示数据 / demo staff and townships (seed-demo, idempotent)")
        _run_module(settings, "workflows", "seed-demo")
        _step("养老服务目录示例数据(虚构) / FICTITIOUS elder-care sample directory (idempotent)")
        _run_module(settings, "workflows", "eldercare", "seed-sample")
        _run_module(settings, "workflows", "eldercare", "coverage-map")
    _step("审计链 / audit chain head exported outside the database (export-audit-head)")
    export = ["workflows", "export-audit-head"]
    if not settings.effective_audit_head_file.exists():
        export.append("--init")  # the first start on this var folder
    try:
        _run_module(settings, *export)
    except subprocess.CalledProcessError:
        print("    审计链核对未通过,详见上方 / audit chain check failed (see above)", flush=True)
    _step("知识库索引 / knowledge index (only changed documents are embedded)")
    if settings.is_production_profile and not settings.chroma_server_url:
        print("    into the Chroma server's folder (var/chroma-server)", flush=True)
        ingest_into_server(
            settings, lambda env: _run_module(settings, "knowledge", "ingest", extra_env=env)
        )
    else:
        _run_module(settings, "knowledge", "ingest")
    _step("Rasa 模型 / dialogue model (retrained only when bot data or config changed)")
    trained = train_if_needed(settings)
    print(f"    {'trained a new model' if trained else 'model is current'}", flush=True)
    print(f"    prepared in {time.monotonic() - started:.1f}s", flush=True)


def print_banner(specs: list[ProcessSpec], settings: Settings) -> None:
    print(f"\n惠民联办 huimin — running ({settings.profile} profile):", flush=True)
    for spec in specs:
        print(f"  {spec.name:<9} {spec.url:<40} {spec.what}")
    if not settings.telegram_token:
        print("  telegram  (not started: set HUIMIN_TELEGRAM_TOKEN to start the bridge)")
    if not settings.wechat_token:
        print("  wechat    (not started: set HUIMIN_WECHAT_TOKEN to start the bridge)")
    base = settings.public_base_url
    print(f"  staff pages: {base}/staff/login   web chat: {base}/chat   QR codes: {base}/qr")
    print("  依赖状态见下方 /api/health 表 / the dependency table follows once the API answers")
    print("  Ctrl-C stops everything.\n", flush=True)


def start(settings: Settings) -> int:
    """Every process from its argument list (no shell), supervised until Ctrl-C or one exits."""
    write_endpoints(settings)
    if settings.is_production_profile:
        write_nginx_conf(settings)
    specs = process_specs(settings)
    supervisor = Supervisor(
        [Child(spec.name, spec.command, env=spec.env) for spec in specs],
        cwd=PROJECT_ROOT,
        env=child_environment(settings),
        out=sys.stdout,
        pid_dir=pid_dir(settings),
    )
    print_banner(specs, settings)
    threading.Thread(
        target=print_health_when_ready, args=(settings, sys.stdout), daemon=True
    ).start()
    return supervisor.run()


def main(*, skip_prepare: bool = False, profile: str | None = None) -> int:
    if profile is not None:  # before the settings are read; the children inherit it
        os.environ["HUIMIN_PROFILE"] = profile
    try:
        settings = load_settings()
        problems = run_checks(settings)
        if problems:
            raise PreflightFailed(problems)
    except PreflightFailed as failed:
        for problem in failed.problems:
            print(f"启动中止 / cannot start — {problem}", file=sys.stderr)
        return 2
    if not skip_prepare:
        try:
            prepare(settings)
        except subprocess.CalledProcessError as exc:
            print(
                f"启动中止 / cannot start — step failed: {subprocess.list2cmdline(exc.cmd)}",
                file=sys.stderr,
            )
            return 2
    return start(settings)
