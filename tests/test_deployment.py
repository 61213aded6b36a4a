"""docker-compose.yml and the Dockerfile describe the topology tests/cluster runs, with our own commands.

There is no Docker engine here: the cluster test proves the topology on network namespaces; these tests check
that compose's services, commands, ports and start order, and the image's command, match it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from server.cli import build_parser
from server.settings import load_settings
from tests.cluster.hosts import HAPROXY_CONFIG

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]


def quancheng(command: list[str]) -> list[str]:
    """The arguments of a `quancheng ...` command, checked by the CLI's own parser (which exits on an unknown
    command or option)."""
    assert command[0] == "quancheng", command
    build_parser().parse_args(command[1:])
    return command[1:]


def test_compose_runs_the_cluster_topology() -> None:
    assert set(SERVICES) == {"db", "migrate", "app", "worker", "balancer", "mailpit"}
    assert quancheng(SERVICES["migrate"]["command"]) == ["migrate"]
    assert quancheng(SERVICES["app"]["command"])[:1] == ["serve"]
    assert quancheng(SERVICES["worker"]["command"]) == ["worker"]
    assert SERVICES["worker"]["deploy"]["replicas"] == 2
    assert "healthcheck" in SERVICES["db"] and any("/var/lib/postgresql/data" in v for v in SERVICES["db"]["volumes"])


def test_the_app_and_worker_start_after_the_migration_and_the_migration_after_the_database() -> None:
    assert SERVICES["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert SERVICES["migrate"]["restart"] == "no"  # one-shot: it exits 0 once the schema is current
    for name in ("app", "worker"):
        assert SERVICES[name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    for name in ("db", "app", "worker", "balancer", "mailpit"):
        assert SERVICES[name]["restart"] == "unless-stopped", name


def test_app_replicas_sit_behind_the_balancer_which_alone_owns_the_port() -> None:
    # `docker compose up --scale app=N` needs an app without a fixed host port.
    assert "ports" not in SERVICES["app"] and "container_name" not in SERVICES["app"]
    balancer = SERVICES["balancer"]
    assert balancer["ports"] == ["8000:8000"]
    mounted = {volume.split(":")[0]: volume.split(":")[1] for volume in balancer["volumes"]}
    assert (ROOT / mounted["./deploy/haproxy.cfg"].replace("/usr/local/etc/haproxy/", "deploy/")) == HAPROXY_CONFIG
    # The balancer finds the replicas by the service's name in Docker's DNS, on the port `serve` listens on.
    config = HAPROXY_CONFIG.read_text()
    template = re.search(r"server-template \S+ \S+ (\S+):(\d+) .*resolvers docker", config)
    assert template, "deploy/haproxy.cfg discovers the app replicas with server-template"
    serve = build_parser().parse_args(quancheng(SERVICES["app"]["command"]))
    assert template.group(1) == "app" and int(template.group(2)) == serve.port and serve.host == "0.0.0.0"
    assert "nameserver dns 127.0.0.11:53" in config and "option httpchk GET /readyz" in config


def interpolated(value: str, shell: dict[str, str]) -> str:
    """A compose value with `${NAME}`, `${NAME:-default}` and `${NAME:?error}` filled in as compose does."""

    def fill(found: re.Match[str]) -> str:
        name, default = found.group(1), found.group(2) or ""
        if name not in shell and found.group(0).find(":?") > 0:
            raise AssertionError(f"compose refuses to start without {name}")
        return shell.get(name, default.removeprefix(":-") if default.startswith(":-") else "")

    return re.sub(r"\$\{(\w+)(:[-?][^}]*)?\}", fill, value)


def test_the_services_settings_reach_the_database_mail_catcher_and_trust_the_balancer_only() -> None:
    with pytest.raises(AssertionError, match="without SECRET_KEY"):
        interpolated(SERVICES["app"]["environment"]["SECRET_KEY"], {})
    shell = {"SECRET_KEY": "s" * 40}
    environment = {name: interpolated(str(value), shell) for name, value in SERVICES["app"]["environment"].items()}
    settings = load_settings(**environment)
    assert settings.BASE_URL == "http://127.0.0.1:8000" and settings.MODE == "production"
    assert settings.DATABASE_URL.startswith("postgres://") and "@db:5432/" in settings.DATABASE_URL
    assert settings.SMTP_URL == "smtp://mailpit:1025"
    assert settings.TRUSTED_PROXIES == SERVICES["balancer"]["networks"]["default"]["ipv4_address"]
    assert SERVICES["worker"]["environment"] == SERVICES["app"]["environment"]


def test_the_image_installs_the_project_once_and_runs_serve_as_an_unprivileged_user() -> None:
    lines = [line.split(maxsplit=1) for line in (ROOT / "Dockerfile").read_text().splitlines() if line[:1].isupper()]
    instructions = [(word, rest) for word, rest in lines]
    assert any(word == "RUN" and "pip install" in rest for word, rest in instructions)
    user = [rest for word, rest in instructions if word == "USER"]
    assert user and user[-1] not in ("root", "0")
    command = json.loads(next(rest for word, rest in instructions if word == "CMD"))
    assert quancheng(command) == quancheng(SERVICES["app"]["command"])
    for service in ("migrate", "app", "worker"):
        assert SERVICES[service]["build"] == "." and "pip" not in str(SERVICES[service]["command"])
