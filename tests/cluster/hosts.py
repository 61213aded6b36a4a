"""Hosts on one machine for the cluster test: Linux network namespaces, each joined by a veth pair to a bridge
in the root namespace (10.77.0.1, where the test, its load generator and its SMTP sink run).

A `Host` runs its programs in its own namespace and process group (`ip netns exec`, a new session), so killing
a host's programs is one `killpg`, and `cut`/`mend` take its link down and up again as a pulled cable would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"  # the balancer here and in docker-compose.yml
BRIDGE = "qcbr0"
GATEWAY = "10.77.0.1"  # the root namespace's address on the bridge
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def missing() -> str:
    """Why this machine cannot build the cluster, or "" if it can."""
    if os.geteuid() != 0:
        return "the cluster test needs root (network namespaces, veth pairs)"
    if not shutil.which("ip") or subprocess.run(["ip", "netns", "list"], capture_output=True).returncode:
        return "the cluster test needs `ip netns` (iproute2)"
    for program in ("haproxy", "pgbouncer"):
        if not shutil.which(program):
            return f"the cluster test needs {program} (apt-get install {program})"
    if not PG_BIN or not (PG_BIN[-1] / "initdb").exists():
        return "the cluster test needs the PostgreSQL server binaries (initdb, postgres)"
    return ""


def ip(*args: str) -> None:
    run(["ip", *args])


def run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stderr}"


def make_bridge() -> None:
    subprocess.run(["ip", "link", "del", BRIDGE], capture_output=True)
    ip("link", "add", BRIDGE, "type", "bridge")
    ip("addr", "add", f"{GATEWAY}/24", "dev", BRIDGE)
    ip("link", "set", BRIDGE, "up")


def remove_bridge() -> None:
    subprocess.run(["ip", "link", "del", BRIDGE], capture_output=True)


@dataclass
class Host:
    """One machine of the cluster: a namespace `qc-<name>` with `eth0` at `address`, cabled to the bridge."""

    name: str
    address: str
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return f"qc-{self.name}"

    def create(self) -> None:
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", self.namespace], capture_output=True)
        ip("netns", "add", self.namespace)
        ip("link", "add", self.namespace, "type", "veth", "peer", "name", "eth0", "netns", self.namespace)
        ip("link", "set", self.namespace, "master", BRIDGE, "up")
        ip("-n", self.namespace, "addr", "add", f"{self.address}/24", "dev", "eth0")
        ip("-n", self.namespace, "link", "set", "eth0", "up")
        ip("-n", self.namespace, "link", "set", "lo", "up")
        (self.workdir / self.name).mkdir(parents=True, exist_ok=True)

    def spawn(self, args: list[str], *, env: dict[str, str] | None = None, log: str) -> subprocess.Popen[bytes]:
        """Start a program on this host in a new process group; its output goes to `<workdir>/<name>/<log>`."""
        with (self.workdir / self.name / log).open("ab") as output:  # the child keeps its own descriptor
            process = subprocess.Popen(
                ["ip", "netns", "exec", self.namespace, *args],
                env={**os.environ, **(env or {})},
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def quancheng(self, command: list[str], env: dict[str, str], *, log: str) -> subprocess.Popen[bytes]:
        # `unshare --uts` gives the host its own hostname, which names its mail worker (`w1:…` in locked_by).
        args = ["unshare", "--uts", "sh", "-c", f'hostname {self.name} && exec "$@"', "sh"]
        return self.spawn([*args, sys.executable, "-m", "server.cli", *command], env=env, log=log)

    def kill(self, process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the process group (`serve` and the workers it spawned); return once every one of them ended."""
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.005)

    def cut(self) -> None:
        ip("link", "set", self.namespace, "down")

    def mend(self) -> None:
        ip("link", "set", self.namespace, "up")

    def destroy(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", self.namespace], capture_output=True)

    def log(self, name: str) -> str:
        path = self.workdir / self.name / name
        return path.read_text(errors="replace") if path.exists() else ""


def _group_alive(group: int) -> bool:
    """Whether a process of this group still runs (a zombie waiting for its reaper does not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def start_postgres(host: Host) -> str:
    """A PostgreSQL made for the test (initdb into the host's directory), listening on the host's address;
    answers the URL of its `quancheng` database."""
    data = host.workdir / host.name / "pgdata"
    shutil.chown(host.workdir / host.name, "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    run([*as_postgres, str(PG_BIN[-1] / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write("host all all 10.77.0.0/24 trust\n")
    settings = {
        "listen_addresses": host.address,
        "unix_socket_directories": str(host.workdir / host.name),
        "max_connections": "200",
        "fsync": "off",  # a test's database: durability across a power cut is not what it proves
    }
    options = [item for key, value in settings.items() for item in ("-c", f"{key}={value}")]
    host.spawn([*as_postgres, str(PG_BIN[-1] / "postgres"), "-D", str(data), *options], log="postgres.log")
    wait_for(lambda: _accepts(host.address, 5432), what="PostgreSQL", log=lambda: host.log("postgres.log"))
    run(
        [
            *as_postgres,
            str(PG_BIN[-1] / "psql"),
            "-h",
            host.address,
            "-U",
            "postgres",
            "-c",
            "CREATE DATABASE quancheng",
        ]
    )
    return f"postgres://postgres@{host.address}:5432/quancheng"


def start_pgbouncer(host: Host, database_port: int = 5432) -> str:
    """PgBouncer in transaction pooling mode on the database host (port 6432); answers the URL through it."""
    config = host.workdir / host.name / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"quancheng = host={host.address} port={database_port} dbname=quancheng user=postgres\n"
        "[pgbouncer]\n"
        f"listen_addr = {host.address}\nlisten_port = 6432\n"
        "auth_type = trust\nadmin_users = postgres\n"
        f"auth_file = {host.workdir / host.name / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        "default_pool_size = 20\nmax_client_conn = 500\n"
        f"unix_socket_dir = {host.workdir / host.name}\n"
    )
    (host.workdir / host.name / "userlist.txt").write_text('"postgres" ""\n')
    shutil.chown(config, "postgres")
    host.spawn(["runuser", "-u", "postgres", "--", "pgbouncer", str(config)], log="pgbouncer.log")
    wait_for(lambda: _accepts(host.address, 6432), what="PgBouncer", log=lambda: host.log("pgbouncer.log"))
    return f"postgres://postgres@{host.address}:6432/quancheng"


def _accepts(address: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((address, port)) == 0


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def wait_for(condition: object, *, what: str, log: object = None, timeout: float = 60) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    detail = log() if callable(log) else ""
    raise AssertionError(f"{what} not ready after {timeout} s\n{str(detail)[-3000:]}")
