"""Start-up checks: a wrong or missing setting stops start-up with one clear line naming it."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import socket
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from huimin.settings import DEMO_ACTION_SECRET, DEMO_RASA_AUTH_TOKEN, Settings
from knowledge.embedding import BUNDLED_ENGINES


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
    if name in BUNDLED_ENGINES and importlib.util.find_spec(name) is not None:
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


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def check_internal_hops(settings: Settings) -> list[Problem]:
    """Rasa and the action server beyond loopback only with TLS and secrets that are not demo
    values; a configured certificate or key file must exist."""
    problems: list[Problem] = []
    hops = (
        (
            "HUIMIN_RASA",
            settings.rasa_host,
            settings.rasa_ssl_certificate,
            settings.rasa_ssl_keyfile,
            "HUIMIN_RASA_AUTH_TOKEN",
            settings.rasa_auth_token.get_secret_value() == DEMO_RASA_AUTH_TOKEN,
        ),
        (
            "HUIMIN_ACTION",
            settings.action_host,
            settings.action_ssl_certificate,
            settings.action_ssl_keyfile,
            "HUIMIN_ACTION_SECRET",
            settings.action_secret.get_secret_value() == DEMO_ACTION_SECRET,
        ),
    )
    for prefix, host, certificate, keyfile, secret_name, secret_is_demo in hops:
        for suffix, path in (("SSL_CERTIFICATE", certificate), ("SSL_KEYFILE", keyfile)):
            if path is not None and not Path(path).is_file():
                problems.append(Problem(f"{prefix}_{suffix}", f"文件不存在 / no such file: {path}"))
        if is_loopback(host):
            continue
        if not (certificate and keyfile):
            problems.append(
                Problem(
                    f"{prefix}_HOST",
                    f"监听非本机地址 {host} 时必须配置 {prefix}_SSL_CERTIFICATE 与 "
                    f"{prefix}_SSL_KEYFILE / listening on {host} beyond loopback needs TLS",
                )
            )
        if secret_is_demo and not settings.is_production:  # production names it already
            problems.append(
                Problem(
                    secret_name,
                    f"{prefix}_HOST={host} 不是本机地址,密钥不能是演示值 / "
                    f"must not be the demo value beyond loopback",
                )
            )
    return problems


def check_wechat(settings: Settings) -> list[Problem]:
    """With a WeChat token, the bridge also needs the AppID and AppSecret (and a 43-character
    EncodingAESKey when one is given)."""
    if settings.wechat_token is None:
        return []
    problems = [
        Problem(name, "启用微信桥接须同时配置 / required with HUIMIN_WECHAT_TOKEN")
        for name, value in (
            ("HUIMIN_WECHAT_APP_ID", settings.wechat_app_id),
            ("HUIMIN_WECHAT_APP_SECRET", settings.wechat_app_secret),
        )
        if not value
    ]
    try:
        data = json.loads(settings.wechat_notice_template_data)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        problems.append(
            Problem(
                "HUIMIN_WECHAT_NOTICE_TEMPLATE_DATA",
                '模板数据须为 JSON 对象,如 {"keyword1": "{number}"} / must be a JSON object',
            )
        )
    key = settings.wechat_encoding_aes_key
    if key is not None and len(key.get_secret_value()) != 43:
        problems.append(
            Problem(
                "HUIMIN_WECHAT_ENCODING_AES_KEY",
                "消息加解密密钥应为43个字符 / the EncodingAESKey has 43 characters",
            )
        )
    return problems


def _is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql://", "postgresql+", "postgres://"))


def check_production_profile(settings: Settings, *, reach: bool = True) -> list[Problem]:
    """The production profile needs PostgreSQL (API and Rasa's tracker store), Redis (rate
    limits and Rasa's lock store), RabbitMQ (Rasa's event broker) and nginx; it refuses to
    start without them (fail closed). ``reach``: also log in to Redis and RabbitMQ now."""
    from huimin.topology import redact_url
    from launcher.balancer import TOKEN_PATTERN, nginx_binary
    from workflows.probes import probe_amqp, probe_redis

    needs = "生产配置必须设置 / the production profile needs"
    problems: list[Problem] = []
    if not _is_postgresql(settings.database_url):
        problems.append(
            Problem(
                "HUIMIN_DATABASE_URL",
                f"{needs} PostgreSQL, 如 postgresql+psycopg://huimin@127.0.0.1:5432/huimin",
            )
        )
    if not _is_postgresql(settings.tracker_store_url):
        problems.append(
            Problem(
                "HUIMIN_TRACKER_STORE_URL",
                f"{needs} PostgreSQL 对话存储 / a PostgreSQL tracker store, "
                "如 postgresql://huimin@127.0.0.1:5432/huimin_rasa",
            )
        )
    if not (settings.redis_url or "").startswith(("redis://", "rediss://")):
        problems.append(
            Problem(
                "HUIMIN_REDIS_URL",
                f"{needs} Redis (限流计数与 Rasa 锁) / Redis, 如 redis://127.0.0.1:6379/0",
            )
        )
    lock = settings.effective_lock_store_url
    if lock and not lock.startswith(("redis://", "rediss://")):
        problems.append(Problem("HUIMIN_LOCK_STORE_URL", f"{needs} a redis:// URL"))
    broker_url = settings.event_broker_url or ""
    if not broker_url.startswith(("amqp://", "amqps://")):
        problems.append(
            Problem(
                "HUIMIN_EVENT_BROKER_URL",
                f"{needs} RabbitMQ 事件总线 / RabbitMQ, 如 amqp://huimin:密码@127.0.0.1:5672/%2F",
            )
        )
    elif not (broker_url.rstrip("/").count("/") == 2 or "/%2F" in broker_url):
        problems.append(
            Problem(
                "HUIMIN_EVENT_BROKER_URL",
                "Rasa 的事件总线只使用默认虚拟主机 / Rasa's pika broker uses the default vhost '/'",
            )
        )
    if nginx_binary(settings) is None:
        problems.append(
            Problem(
                "HUIMIN_NGINX_BIN",
                f"找不到 nginx / nginx not found ({settings.nginx_bin}); "
                "安装: bash scripts/ensure-system.sh",
            )
        )
    if not TOKEN_PATTERN.fullmatch(settings.chroma_token.get_secret_value()):
        problems.append(
            Problem(
                "HUIMIN_CHROMA_TOKEN",
                "须为16-200个字母、数字或 ._~+/=- / 16-200 letters, digits or ._~+/=-",
            )
        )
    for name, count in (
        ("HUIMIN_RASA_REPLICAS", settings.rasa_replicas),
        ("HUIMIN_ACTION_REPLICAS", settings.action_replicas),
    ):
        if count < 1:
            problems.append(Problem(name, "至少为 1 / at least 1"))
    if reach and not problems:
        timeout = max(settings.health_probe_timeout_seconds, 2.0)
        for setting, found in (
            ("HUIMIN_REDIS_URL", probe_redis("redis", settings.redis_url or "", timeout)),
            ("HUIMIN_LOCK_STORE_URL", probe_redis("lock", lock, timeout)),
            (
                "HUIMIN_EVENT_BROKER_URL",
                probe_amqp("broker", broker_url, timeout, settings.event_broker_queue),
            ),
        ):
            if not found.ok:
                problems.append(
                    Problem(setting, f"无法连接 / cannot connect: {redact_url(found.detail)}")
                )
    return problems


def production_ports(settings: Settings) -> list[tuple[str, int, str]]:
    from huimin.topology import action_servers, rasa_servers

    ports = [
        ("127.0.0.1", settings.chroma_port, "HUIMIN_CHROMA_PORT"),
        ("127.0.0.1", settings.chroma_backend_port, "HUIMIN_CHROMA_BACKEND_PORT"),
    ]
    ports += [(r.host, r.port, "HUIMIN_RASA_REPLICA_BASE_PORT") for r in rasa_servers(settings)]
    ports += [(r.host, r.port, "HUIMIN_ACTION_REPLICA_BASE_PORT") for r in action_servers(settings)]
    return ports


def run_checks(settings: Settings, *, check_ports: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    if settings.is_production:
        problems += [Problem(p.split(" ", 1)[0], p) for p in settings.production_problems()]
    if settings.is_production_profile:
        problems += check_production_profile(settings)
    problems += check_internal_hops(settings)
    if check_ports:
        if settings.is_production_profile:
            for host, port, name in production_ports(settings):
                problem = check_port_free(host, port, name)
                if problem:
                    problems.append(problem)
        for host, port, name in (
            (settings.api_host, settings.api_port, "HUIMIN_API_PORT"),
            (settings.rasa_host, settings.rasa_port, "HUIMIN_RASA_PORT"),
            (settings.action_host, settings.action_port, "HUIMIN_ACTION_PORT"),
        ):
            problem = check_port_free(host, port, name)
            if problem:
                problems.append(problem)
        if settings.wechat_token:
            problem = check_port_free(
                settings.wechat_host, settings.wechat_port, "HUIMIN_WECHAT_PORT"
            )
            if problem:
                problems.append(problem)
    problems += check_wechat(settings)
    for check in (check_database, check_embedding_model, check_docs):
        problem = check(settings)
        if problem:
            problems.append(problem)
    return problems
