"""Start-up checks: a wrong or missing setting stops start-up with one clear line naming it."""

from __future__ import annotations

import importlib.util
import socket
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from huimin.settings import Settings


@dataclass(frozen=True)
class Problem:
    setting: str  # the environment variable to fix
    message: str  # one line, Chinese first

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


class PreflightFailed(Exception):  # noqa: N818 - names the event, not an error type
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def load_settings() -> Settings:
    """Build settings, turning validation errors into a PreflightFailed naming the variables."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            Problem(
                "HUIMIN_" + str(error["loc"][0]).upper() if error["loc"] else "HUIMIN_*",
                f"取值无效 / invalid value: {error['msg']}",
            )
            for error in exc.errors()
        ]
        raise PreflightFailed(problems) from None


def check_port_free(host: str, port: int, setting: str) -> Problem | None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return Problem(
                setting, f"端口 {port} 已被占用 / port {port} on {host} is already in use"
            )
    return None


def check_database(settings: Settings) -> Problem | None:
    from sqlalchemy import text

    from workflows.db import make_engine

    url = settings.effective_database_url
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[-1])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return Problem(
                "HUIMIN_DATABASE_URL", f"无法创建数据库目录 / cannot create {path.parent}: {exc}"
            )
    try:
        engine = make_engine(settings)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        return Problem("HUIMIN_DATABASE_URL", f"无法连接数据库 / cannot connect: {reason}")
    return None


def check_embedding_model(settings: Settings) -> Problem | None:
    """The model must be a local folder or an installed package that carries one (offline)."""
    name = settings.embedding_model
    if Path(name).expanduser().is_dir():
        return None
    spec = importlib.util.find_spec(name.replace("-", "_")) if name else None
    if spec and spec.submodule_search_locations:
        package_dir = Path(next(iter(spec.submodule_search_locations)))
        if (package_dir / "model").is_dir():
            return None
    return Problem(
        "HUIMIN_EMBEDDING_MODEL",
        f"找不到嵌入模型文件夹 / no local model folder or model package named {name!r}",
    )


def check_docs(settings: Settings) -> Problem | None:
    if not settings.knowledge_docs_dir.is_dir():
        return Problem(
            "HUIMIN_KNOWLEDGE_DOCS_DIR",
            f"知识库文档目录不存在 / no such folder: {settings.knowledge_docs_dir}",
        )
    return None


def run_checks(settings: Settings, *, check_ports: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    if settings.is_production:
        problems += [Problem(p.split(" ", 1)[0], p) for p in settings.production_problems()]
    if check_ports:
        for host, port, name in (
            (settings.api_host, settings.api_port, "HUIMIN_API_PORT"),
            (settings.rasa_host, settings.rasa_port, "HUIMIN_RASA_PORT"),
            ("127.0.0.1", settings.action_port, "HUIMIN_ACTION_PORT"),
        ):
            problem = check_port_free(host, port, name)
            if problem:
                problems.append(problem)
    for check in (check_database, check_embedding_model, check_docs):
        problem = check(settings)
        if problem:
            problems.append(problem)
    return problems
