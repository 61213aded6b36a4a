"""Settings: defaults for the embedded mode, the generated secret key, and one clear line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import SettingsError, load_settings
from tests.server.support import run


def test_embedded_defaults_live_under_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(DATA_DIR=tmp_path)
    assert settings.DATABASE_URL == f"sqlite://{tmp_path / 'quancheng.sqlite3'}"
    assert settings.MAIL_DIR == tmp_path / "mail"
    assert (settings.DEFAULT_TIMEZONE, settings.DEFAULT_LOCALE) == ("Asia/Shanghai", "zh-CN")
    assert settings.is_embedded


def test_the_embedded_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings(DATA_DIR=tmp_path).secret_key()
    second = load_settings(DATA_DIR=tmp_path).secret_key()
    assert first == second and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be set in production mode"):
        load_settings(MODE="production", DATA_DIR=tmp_path)


@pytest.mark.parametrize("base_url", ["http://events.jinan.gov.cn", "http://10.0.0.5:8000", "http://[::2]:80"])
def test_production_refuses_an_http_base_url_outside_this_machine(tmp_path: Path, base_url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(MODE="production", SECRET_KEY="s" * 40, DATA_DIR=tmp_path, BASE_URL=base_url)
    assert str(caught.value) == (
        "bad setting settings: Value error, BASE_URL must be https:// in production mode (session cookies and "
        "mailed links travel in it); http:// is accepted only for a loopback host such as 127.0.0.1 or localhost"
    )


@pytest.mark.parametrize(
    "base_url", ["https://events.jinan.gov.cn", "http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_production_accepts_https_and_a_loopback_trial(tmp_path: Path, base_url: str) -> None:
    settings = load_settings(MODE="production", SECRET_KEY="s" * 40, DATA_DIR=tmp_path, BASE_URL=base_url)
    assert settings.BASE_URL == base_url


def test_serve_in_production_with_an_http_base_url_stops_with_one_line(tmp_path: Path) -> None:
    answer = run(["serve"], tmp_path, MODE="production", SECRET_KEY="s" * 40, BASE_URL="http://events.example.cn")
    assert answer.returncode == 2
    assert answer.stderr.startswith("quancheng: bad setting settings: Value error, BASE_URL must be https://")
    assert answer.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "DATABASE_URL",
            "mysql://x",
            "bad setting DATABASE_URL: Value error, must start with sqlite:// or postgres://",
        ),
        ("BASE_URL", "ftp://x", "bad setting BASE_URL: Value error, must start with http:// or https://"),
        ("SMTP_URL", "http://mail", "bad setting SMTP_URL: Value error, must start with smtp://"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "bad setting DEFAULT_TIMEZONE: Value error, unknown time zone"),
        ("DEFAULT_LOCALE", "fr", "bad setting DEFAULT_LOCALE: Input should be 'zh-CN' or 'en'"),
        ("MAX_BODY_BYTES", "-1", "bad setting MAX_BODY_BYTES: Input should be greater than 0"),
        (
            "SMS_URL",
            "https://sms.example.cn",
            "bad setting SMS_URL: Value error, must start with aliyun:// or tencent://",
        ),
        ("SMS_URL", "aliyun://dysmsapi.aliyuncs.com", "bad setting SMS_URL: Value error, must carry the access key"),
        (
            "SMS_URL",
            "tencent://id:key@sms.tencentcloudapi.com",
            "bad setting SMS_URL: Value error, tencent:// needs ?app=",
        ),
        ("SMS_TEMPLATES", "approval=SMS_1,birthday=2", "bad setting SMS_TEMPLATES: Value error, 'birthday=2' is not"),
        ("SMS_SIGN_NAME", "泉", "bad setting SMS_SIGN_NAME: Value error, must be 2 to 12 characters"),
        ("SMS_LIMIT_PER_HOUR", "0", "bad setting SMS_LIMIT_PER_HOUR: Input should be greater than 0"),
        (
            "MARKDOWN_IMAGE_HOSTS",
            "img.example.cn, https://cdn.example.cn",
            "bad setting MARKDOWN_IMAGE_HOSTS: Value error, 'https://cdn.example.cn' is not a host name",
        ),
    ],
)
def test_a_bad_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(DATA_DIR=tmp_path)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_settings_are_read_from_a_dotenv_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BASE_URL=https://events.jinan.gov.cn/\nDEFAULT_LOCALE=en\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert (settings.BASE_URL, settings.DEFAULT_LOCALE) == ("https://events.jinan.gov.cn", "en")


def test_a_provider_needs_a_template_for_every_notice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMS_URL", "aliyun://LTAI5t:secret@dysmsapi.aliyuncs.com")
    monkeypatch.setenv("SMS_TEMPLATES", "approval=SMS_1,offer=SMS_2")
    with pytest.raises(SettingsError, match="SMS_TEMPLATES must name a template for reminder, cancellation"):
        load_settings(DATA_DIR=tmp_path)
    monkeypatch.setenv("SMS_TEMPLATES", "approval=SMS_1,offer=SMS_2,reminder=SMS_3,cancellation=SMS_4")
    assert load_settings(DATA_DIR=tmp_path).SMS_DIR == tmp_path / "sms"
