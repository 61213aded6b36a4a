"""Settings read from the environment (and an optional `.env`), validated once at start-up."""

from __future__ import annotations

import ipaddress
import re
import secrets
import zoneinfo
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from notifications.models import SmsNotice

Locale = Literal["zh-CN", "en"]
HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?")


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
    MAIL_FROM_NAME: str = Field(
        default="泉城活动", description="sender's display name of mails that name none (Chinese, for mainland clients)"
    )
    SMTP_CA_FILE: str | None = Field(default=None, description="CA bundle to trust for the SMTP server's TLS")
    WORKER: Literal["auto", "on", "off"] = Field(
        default="auto", description="mail worker inside `serve`: auto = only on the embedded default"
    )
    SMS_URL: str = Field(default="", repr=False, description="aliyun://ID:SECRET@host or tencent://ID:KEY@host?app=")
    SMS_SIGN_NAME: str = "泉城活动"
    SMS_TEMPLATES: str = Field(default="", description="notice=template code or id, comma-separated")
    SMS_DIR: Path = Path("")
    SIGNUP_LIMIT_PER_CLIENT: int = Field(
        default=30, gt=0, description="sign-ups and password-reset requests from one client address in 15 minutes"
    )
    LOGIN_LIMIT_PER_CLIENT: int = Field(
        default=100, gt=0, description="logins from one client address in 15 minutes (an office NAT counts as one)"
    )
    REGISTRATION_LIMIT_PER_CLIENT: int = Field(
        default=500,
        ge=0,
        description="registration attempts from one client address for one event per REGISTRATION_LIMIT_WINDOW "
        "seconds, counted per app process (an office NAT of 300 registering once each passes); 0 = no limit",
    )
    REGISTRATION_LIMIT_WINDOW: int = Field(
        default=600, gt=0, description="seconds in which REGISTRATION_LIMIT_PER_CLIENT attempts may come"
    )
    SMS_LIMIT_PER_HOUR: int = Field(default=5, gt=0, description="SMS to one number in any hour")
    SMS_LIMIT_PER_DAY: int = Field(default=10, gt=0, description="SMS to one number in any 24 hours")
    SMS_LIMIT_PER_EVENT: int = Field(default=2000, gt=0, description="SMS for one event in any 24 hours")
    DEFAULT_TIMEZONE: str = "Asia/Shanghai"
    DEFAULT_LOCALE: Locale = "zh-CN"
    MAX_BODY_BYTES: int = Field(default=1_048_576, gt=0)
    SESSION_DAYS: int = Field(default=14, gt=0)
    MAIL_LEASE_SECONDS: float = Field(
        default=300, gt=0, description="how long a mail worker holds the rows it claimed before another may take them"
    )
    SWEEP_SECONDS: float = Field(default=30, gt=0, description="how often lapsed waiting-list offers are passed on")
    LOG_FORMAT: Literal["json", "text"] | None = Field(
        default=None, description="log lines as JSON objects or text; unset: json in production, text in development"
    )
    ACCESS_LOG: bool = Field(
        default=True, description="one log line per request; off where a reverse proxy logs the requests already"
    )
    MARKDOWN_IMAGE_HOSTS: str = Field(
        default="",
        description="hosts (comma-separated) whose https images organisers' Markdown may show; unset: none",
    )
    TRUSTED_PROXIES: str = Field(
        default="",
        description="addresses or CIDRs of load balancers whose X-Forwarded-For names the client, comma-separated",
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

    @field_validator("SMS_URL")
    @classmethod
    def _sms_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("aliyun", "tencent"):
            raise ValueError("must start with aliyun:// or tencent://")
        if not (parts.username and parts.password):
            raise ValueError("must carry the access key id and secret as user:password")
        if parts.scheme == "tencent" and not parse_qs(parts.query).get("app", [""])[-1].isdigit():
            raise ValueError("tencent:// needs ?app=<SmsSdkAppId>")
        return value

    @field_validator("SMS_TEMPLATES")
    @classmethod
    def _sms_templates(cls, value: str) -> str:
        sms_templates(value)
        return value

    @field_validator("SMS_SIGN_NAME")
    @classmethod
    def _sign_name(cls, value: str) -> str:
        if not 2 <= len(value.strip()) <= 12:
            raise ValueError("must be 2 to 12 characters (the sign name approved by the SMS provider)")
        return value.strip()

    @field_validator("MARKDOWN_IMAGE_HOSTS")
    @classmethod
    def _image_hosts(cls, value: str) -> str:
        hosts = [host.strip().lower() for host in value.split(",") if host.strip()]
        for host in hosts:
            if not HOST.fullmatch(host):
                raise ValueError(f"{host!r} is not a host name (such as img.example.cn, without https://)")
        return ",".join(hosts)

    @field_validator("TRUSTED_PROXIES")
    @classmethod
    def _addresses(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network (CIDR)") from None
        return ", ".join(items)

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
        if self.SMS_DIR == Path(""):
            self.SMS_DIR = self.DATA_DIR / "sms"
        missing = [notice.value for notice in SmsNotice if notice not in sms_templates(self.SMS_TEMPLATES)]
        if self.SMS_URL and missing:
            raise ValueError(f"SMS_TEMPLATES must name a template for {', '.join(missing)} when SMS_URL is set")
        if self.MODE == "production" and not self.SECRET_KEY:
            raise ValueError("SECRET_KEY must be set in production mode")
        if self.MODE == "production" and not _served_safely(self.BASE_URL):
            raise ValueError(
                "BASE_URL must be https:// in production mode (session cookies and mailed links travel in it); "
                "http:// is accepted only for a loopback host such as 127.0.0.1 or localhost"
            )
        if self.SECRET_KEY and len(self.SECRET_KEY) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return self

    @property
    def image_hosts(self) -> tuple[str, ...]:
        """MARKDOWN_IMAGE_HOSTS as a tuple: the only other hosts a page may load images from."""
        return tuple(filter(None, self.MARKDOWN_IMAGE_HOSTS.split(",")))

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


def _served_safely(base_url: str) -> bool:
    """https, or a loopback address where nothing leaves the machine (a trial of the production set-up)."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sms_templates(value: str) -> dict[SmsNotice, str]:
    """`approval=SMS_123,offer=SMS_456` as {notice: code}; an unknown notice or an empty code raises ValueError."""
    templates: dict[SmsNotice, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, code = (side.strip() for side in item.partition("="))
        if name not in SmsNotice.__members__.values() or not code:
            known = ", ".join(notice.value for notice in SmsNotice)
            raise ValueError(f"{item!r} is not notice=code (notices: {known})")
        templates[SmsNotice(name)] = code
    return templates


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
