"""docker-compose.yml describes a topology our own commands can run."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from server.cli import build_parser
from server.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_compose_app_uses_the_database_service_and_real_commands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy" and "healthcheck" in db
    environment = dict(app["environment"], SECRET_KEY="s" * 40)
    settings = load_settings(**environment)
    assert settings.DATABASE_URL.startswith("postgres://") and "@db:5432/" in settings.DATABASE_URL
    assert settings.SMTP_URL == "smtp://mailpit:1025" and "mailpit" in compose["services"]
    for service, expected in (("app", ["migrate", "serve"]), ("worker", ["worker"])):
        steps = [shlex.split(step) for step in shlex.split(compose["services"][service]["command"])[2].split("&&")]
        commands = [step[1:] for step in steps if step[0] == "quancheng"]
        assert [c[0] for c in commands] == expected
        for command in commands:
            build_parser().parse_args(command)  # exits on an unknown command or option
