"""Settings read from the environment (and an optional `.env`), validated once at start-up."""

from __future__ import annotations

import secrets
import zoneinfo
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Locale = Literal["zh-CN", "en"]


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    MODE: Literal["development", "production"] = "development"
    DATA_DIR: Path = Path("var")
    DATABASE_URL: str = ""
    SECRET_KEY: str = Field(default="", repr=False)
    BASE_URL: str = "http://127.0.0.1:8000"
    SMTP_URL: str = ""
    MAIL_DIR: Path = Path("")
    MAIL_FROM: str = "events@quancheng.localhost"
    SMTP_CA_FILE: str | None = Field(default=None, description="CA bundle to trust for the SMTP server's TLS")
    WORKER: Literal["auto", "on", "off"] = Field(
        default="auto", description="mail worker inside `serve`: auto = only on the embedded default"
    )
    DEFAULT_TIMEZONE: str = "Asia/Shanghai"
    DEFAULT_LOCALE: Locale = "zh-CN"
    MAX_BODY_BYTES: int = Field(default=1_048_576, gt=0)
    SESSION_DAYS: int = Field(default=14, gt=0)
    SWEEP_SECONDS: float = Field(default=30, gt=0, description="how often lapsed waiting-list offers are passed on")
    LOG_FORMAT: Literal["json", "text"] | None = Field(
        default=None, description="log lines as JSON objects or text; unset: json in production, text in development"
    )
    METRICS_TOKEN: str = Field(default="", repr=False, description="Bearer token for /metrics; unset: loopback only")

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @field_validator("BASE_URL")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("SMTP_URL")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        if value and not value.startswith(("smtp://", "smtps://", "smtp+starttls://")):
            raise ValueError("must start with smtp://, smtps:// or smtp+starttls://")
        return value

    @field_validator("DEFAULT_TIMEZONE")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _defaults_under_data_dir(self) -> Settings:
        if not self.DATABASE_URL:
            self.DATABASE_URL = f"sqlite://{self.DATA_DIR / 'quancheng.sqlite3'}"
        if self.MAIL_DIR == Path(""):
            self.MAIL_DIR = self.DATA_DIR / "mail"
        if self.LOG_FORMAT is None:
            self.LOG_FORMAT = "json" if self.MODE == "production" else "text"
        if self.MODE == "production" and not self.SECRET_KEY:
            raise ValueError("SECRET_KEY must be set in production mode")
        if self.SECRET_KEY and len(self.SECRET_KEY) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return self

    @property
    def is_embedded(self) -> bool:
        """The single-machine default: SQLite, migrated and served by one command."""
        return self.DATABASE_URL.startswith("sqlite://")

    def secret_key(self) -> str:
        """SECRET_KEY, or on the embedded default one generated once and kept under DATA_DIR."""
        if self.SECRET_KEY:
            return self.SECRET_KEY
        path = self.DATA_DIR / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.SECRET_KEY = path.read_text().strip()
        return self.SECRET_KEY


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad one raises SettingsError with a single clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        raise SettingsError(f"bad setting {name}: {first['msg']}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
