"""Settings come from the environment (or .env), with safe defaults; the token stays secret."""

import logging

import pytest
from pydantic import ValidationError

from bot.core.config import Settings
from bot.core.logs import RedactFilter


def test_defaults(monkeypatch):
    for name in ("DATABASE_URL", "TELEGRAM_API_BASE_URL", "CAITIEN_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///caitien.db"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.timezone == "Asia/Ho_Chi_Minh" and settings.default_language == "vi"


def test_environment_and_secret_token(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:secret-value")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("CAITIEN_TIMEZONE", "Asia/Bangkok")
    settings = Settings(_env_file=None)
    assert settings.token() == "42:secret-value"
    assert "secret-value" not in repr(settings)
    assert settings.telegram_api_base_url == "http://127.0.0.1:9/bot"
    assert str(settings.tz) == "Asia/Bangkok"


def test_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("CAITIEN_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_token_is_redacted_from_log_records():
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST https://api.telegram.org/bot%s/getMe",
        ("42:secret",),
        None,
    )
    RedactFilter(["42:secret"]).filter(record)
    assert record.getMessage() == "POST https://api.telegram.org/bot<token>/getMe"
