"""The processes `make run` starts, as (name, argv, environment) rows, and Rasa's endpoints file.

Every hop is authenticated: Rasa's HTTP API by ``--auth-token`` (``?token=``), the action
server by the header ``ACTION_SECRET_HEADER`` that Rasa sends (``headers:`` in the endpoints
file). Secrets reach Rasa through the environment (``${HUIMIN_ACTION_SECRET}`` in the endpoints
file), not through files on disk; Rasa's own ``--auth-token`` is an argument (Rasa reads it from
nowhere else).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from huimin.settings import ACTION_SECRET_HEADER, PROJECT_ROOT, Settings
from huimin.topology import action_servers, rasa_servers, redis_address
from launcher.balancer import nginx_binary, nginx_command
from launcher.broker import event_broker_yaml
from launcher.environment import child_environment as child_environment  # re-exported
from launcher.rasa_model import RASA_BIN, model_path

TRACKER_STORE_CLASS = "rasa_addons.tracker_store.MaskingSQLTrackerStore"
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
# the Chroma server logs every request at INFO (with colours) otherwise
CHROMA_ENV = {"RUST_LOG": "warn", "NO_COLOR": "1"}


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    command: list[str]
    url: str
    what: str
    env: dict[str, str] = field(default_factory=dict)


def process_specs(settings: Settings) -> list[ProcessSpec]:
    if settings.is_production_profile:
        return production_specs(settings) + bridge_specs(settings)
    python = sys.executable
    specs = [
        ProcessSpec(
            "api",
            [python, "-m", "workflows", "serve", "--port", str(settings.api_port)],
            f"http://{settings.api_host}:{settings.api_port}",
            "API 服务 (FastAPI): 申请、审核、资格预审、政策问答、工作人员页面",
        ),
        ProcessSpec(
            "actions",
            [python, "-m", "actions.server"],
            action_webhook_url(settings),
            "Rasa 自定义动作服务 (rasa-sdk, 需密钥头)",
        ),
        ProcessSpec(
            "rasa",
            rasa_command(settings),
            f"{'https' if rasa_tls(settings) else 'http'}://{settings.rasa_host}:{settings.rasa_port}",
            "Rasa 对话服务 (REST: /webhooks/rest/webhook; HTTP API 需 ?token=)",
        ),
    ]
    return specs + bridge_specs(settings)


def api_command(settings: Settings) -> list[str]:
    command = [sys.executable, "-m", "workflows", "serve", "--port", str(settings.api_port)]
    if settings.effective_api_workers > 1:
        command += ["--workers", str(settings.effective_api_workers)]
    return command


def chroma_command(settings: Settings) -> list[str]:
    """The Chroma server (``chroma`` from the API's environment) on loopback only."""
    return [
        str(Path(sys.executable).parent / "chroma"),
        "run",
        "--path",
        str(chroma_server_path(settings)),
        "--host",
        "127.0.0.1",
        "--port",
        str(settings.chroma_backend_port),
    ]


def chroma_server_path(settings: Settings) -> Path:
    return settings.var_dir / "chroma-server"


def production_specs(settings: Settings) -> list[ProcessSpec]:
    """API workers, Rasa and action-server replicas behind nginx, the Chroma server."""
    python = sys.executable
    specs = [
        ProcessSpec(
            "api",
            api_command(settings),
            f"http://{settings.api_host}:{settings.api_port}",
            f"API 服务 (FastAPI, {settings.effective_api_workers} 个 uvicorn 工作进程, PostgreSQL)",
        )
    ]
    for replica in action_servers(settings):
        specs.append(
            ProcessSpec(
                replica.name,
                [python, "-m", "actions.server"],
                f"{replica.base_url}/webhook",
                "Rasa 自定义动作服务 (负载均衡之后)",
                env={"HUIMIN_ACTION_PORT": str(replica.port)},
            )
        )
    for replica in rasa_servers(settings):
        specs.append(
            ProcessSpec(
                replica.name,
                rasa_command(settings, port=replica.port),
                replica.base_url,
                "Rasa 对话服务 (负载均衡之后; SQL 对话存储, Redis 锁, RabbitMQ 事件)",
            )
        )
    binary = nginx_binary(settings) or settings.nginx_bin
    specs.append(
        ProcessSpec(
            "nginx",
            nginx_command(settings, binary),
            f"http://127.0.0.1:{settings.rasa_port} (Rasa) :{settings.action_port} (动作) "
            f":{settings.chroma_port} (Chroma)",
            "负载均衡 (nginx, 仅本机; 故障实例自动跳过)",
        )
    )
    specs.append(
        ProcessSpec(
            "chroma",
            chroma_command(settings),
            f"http://127.0.0.1:{settings.chroma_backend_port}",
            "知识库向量库 Chroma 服务 (经负载均衡的令牌校验访问)",
            env=CHROMA_ENV,
        )
    )
    return specs


def bridge_specs(settings: Settings) -> list[ProcessSpec]:
    """The channel bridges and the outbox workers that their settings switch on."""
    python = sys.executable
    specs: list[ProcessSpec] = []
    if settings.telegram_token:
        specs.append(
            ProcessSpec(
                "telegram",
                [python, "-m", "channels.telegram"],
                "Telegram long polling"
                if not settings.telegram_webhook_url
                else settings.telegram_webhook_url,
                "Telegram 桥接 (python-telegram-bot)",
            )
        )
    if settings.wechat_token:
        specs.append(
            ProcessSpec(
                "wechat",
                [python, "-m", "channels.wechat"],
                f"http://{settings.wechat_host}:{settings.wechat_port}/wechat/callback",
                "微信公众号桥接 (wechatpy; 服务器地址经 TLS 反向代理)",
            )
        )
    if settings.sms_gateway_url:
        specs.append(
            ProcessSpec(
                "sms",
                [python, "-m", "workflows", "deliver-sms"],
                "outbox → SMS gateway",
                "短信发送 (窗口申请人的通知)",
            )
        )
    if settings.event_broker_url:
        specs.append(
            ProcessSpec(
                "analytics",
                [python, "-m", "workflows", "analytics-consume"],
                f"RabbitMQ queue {settings.event_broker_queue}",
                "对话统计 (Rasa 事件 → 漏斗; 不存消息文本和身份证号)",
            )
        )
    return specs


def rasa_tls(settings: Settings) -> bool:
    return bool(settings.rasa_ssl_certificate and settings.rasa_ssl_keyfile)


def action_tls(settings: Settings) -> bool:
    return bool(settings.action_ssl_certificate and settings.action_ssl_keyfile)


def rasa_command(settings: Settings, *, port: int | None = None) -> list[str]:
    """``rasa run`` as an argument list: HTTP API behind ``--auth-token``, no CORS (browsers
    never call Rasa: the API's pages proxy it), TLS when a certificate and key are set."""
    command = [
        str(RASA_BIN),
        "run",
        "--enable-api",
        "--auth-token",
        settings.rasa_auth_token.get_secret_value(),
        "-i",
        settings.rasa_host,
        "-p",
        str(port or settings.rasa_port),
        "--model",
        str(model_path(settings)),
        "--endpoints",
        str(endpoints_path(settings)),
        "--credentials",
        str(PROJECT_ROOT / "bot" / "credentials.yml"),
    ]
    if rasa_tls(settings):
        command += [
            "--ssl-certificate",
            str(settings.rasa_ssl_certificate),
            "--ssl-keyfile",
            str(settings.rasa_ssl_keyfile),
        ]
    return command


def action_webhook_url(settings: Settings) -> str:
    """Where Rasa reaches the action server (a wildcard bind address is reached on loopback);
    in the production profile the balancer on the same port."""
    host = "127.0.0.1" if settings.is_production_profile else settings.action_host
    host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    host = f"[{host}]" if ":" in host else host
    scheme = "https" if action_tls(settings) else "http"
    return f"{scheme}://{host}:{settings.action_port}/webhook"


def endpoints_path(settings: Settings) -> Path:
    return settings.var_dir / "rasa" / "endpoints.yml"


def endpoints_yaml(settings: Settings) -> str:
    """The endpoints file's text. Values that are secrets stay ``${VAR}`` references that Rasa
    fills from its environment (``child_environment``)."""
    lines = [
        "# generated by launcher/processes.py from the settings; edit the HUIMIN_* settings",
        "action_endpoint:",
        f'  url: "{action_webhook_url(settings)}"',
        "  headers:",
        f"    {ACTION_SECRET_HEADER}: ${{HUIMIN_ACTION_SECRET}}",
    ]
    if action_tls(settings):
        lines.append(f'  cafile: "{settings.action_ssl_certificate}"')
    lines += [
        "tracker_store:",
        f"  type: {TRACKER_STORE_CLASS}",
        "  url: ${HUIMIN_TRACKER_STORE_URL}",
    ]
    if settings.effective_lock_store_url:
        redis = redis_address(settings.effective_lock_store_url)
        lines += [
            "lock_store:",  # one conversation's messages in order across the Rasa servers
            "  type: redis",
            f'  url: "{redis.host}"',
            f"  port: {redis.port}",
            f"  db: {redis.redis_db}",
            "  password: ${HUIMIN_LOCK_STORE_PASSWORD}",
            "  key_prefix: huimin",
        ]
        if redis.scheme == "rediss":
            lines.append("  use_ssl: true")
    broker = event_broker_yaml(settings)  # "" without a broker (development profile)
    if broker:
        lines += broker.rstrip("\n").split("\n")
    return "\n".join(lines) + "\n"


def write_endpoints(settings: Settings) -> Path:
    """Rasa's endpoints file, generated so ports, TLS and the tracker store follow the settings."""
    path = endpoints_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(endpoints_yaml(settings), encoding="utf-8")
    return path
