"""Settings, read from the environment and an optional `.env` file (pydantic-settings)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_API_BASE_FILE_URL = "https://api.telegram.org/file/bot"


class Settings(BaseSettings):
    """Everything the bot can be told from outside; see `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # The token from @BotFather. Secret: never logged (SecretStr hides it in reprs).
    telegram_bot_token: SecretStr = Field(default=SecretStr(""), alias="TELEGRAM_BOT_TOKEN")
    # SQLAlchemy URL. SQLite file in the working directory by default; PostgreSQL works too.
    database_url: str = Field(default="sqlite:///caitien.db", alias="DATABASE_URL")
    # Bot API endpoints; point them at the emulator in tests (see README).
    telegram_api_base_url: str = Field(default=TELEGRAM_API_BASE_URL, alias="TELEGRAM_API_BASE_URL")
    telegram_api_base_file_url: str = Field(
        default=TELEGRAM_API_BASE_FILE_URL, alias="TELEGRAM_API_BASE_FILE_URL"
    )
    # Default timezone of schools (each school may set its own later).
    timezone: str = Field(default="Asia/Ho_Chi_Minh", alias="CAITIEN_TIMEZONE")
    # Language used when a user's Telegram language is neither Vietnamese nor English.
    default_language: str = Field(default="vi", alias="CAITIEN_DEFAULT_LANGUAGE")
    # Seconds a getUpdates long poll waits on the server.
    polling_timeout: int = Field(default=30, alias="CAITIEN_POLLING_TIMEOUT")
    # Where evidence files are kept (one directory per school and row).
    files_dir: Path = Field(default=Path("files"), alias="CAITIEN_FILES_DIR")
    # Seconds between two runs of the job that writes due notifications to the outbox.
    scheduler_interval: float = Field(default=30.0, alias="CAITIEN_SCHEDULER_INTERVAL", gt=0)
    # Worker threads that run the turns (database work, documents, charts) off the event loop.
    turn_threads: int = Field(default=8, alias="CAITIEN_TURN_THREADS", ge=1, le=64)
    # Worker processes that make documents and charts (bot.runtime.workshop).
    document_workers: int = Field(default=1, alias="CAITIEN_DOCUMENT_WORKERS", ge=1, le=16)
    # Messages per second the sender allows itself (Telegram's limit is about 30).
    send_rate: int = Field(default=30, alias="CAITIEN_SEND_RATE", gt=0)
    # Webhook mode (`caitien run --webhook`; the options there win): the public URL Telegram
    # posts to, the secret it sends with each update (never logged), where to listen.
    webhook_url: str = Field(default="", alias="CAITIEN_WEBHOOK_URL")
    webhook_secret: SecretStr = Field(default=SecretStr(""), alias="CAITIEN_WEBHOOK_SECRET")
    webhook_listen: str = Field(default="127.0.0.1", alias="CAITIEN_WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, alias="CAITIEN_WEBHOOK_PORT", gt=0, lt=65536)
    # Logging level for the `caitien` loggers (stderr).
    log_level: str = Field(default="INFO", alias="CAITIEN_LOG_LEVEL")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("CAITIEN_DEFAULT_LANGUAGE must be 'vi' or 'en'")
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def token(self) -> str:
        return self.telegram_bot_token.get_secret_value()
