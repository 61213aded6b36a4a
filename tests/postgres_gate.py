"""A pytest plugin: with QUANCHENG_TEST_PG set, a test skipped for want of PostgreSQL fails the run.

CI sets QUANCHENG_TEST_PG so that every test also runs on PostgreSQL; a skip then means a PostgreSQL test did not
run (the setting lost on the way, a test that reads it wrongly) and would otherwise pass unnoticed. A skip counts
as one for want of PostgreSQL when its reason names QUANCHENG_TEST_PG, as tests/conftest.py's PG_UNSET does.
Skips on SQLite of tests that only PostgreSQL can prove word their reason otherwise, and stay skips.
"""

from __future__ import annotations

import os

import pytest


class PostgresGate:
    def __init__(self) -> None:
        self.missed: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._note(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._note(report)

    def _note(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        # A skip's longrepr is (file, line, "Skipped: <reason>").
        if report.skipped and isinstance(report.longrepr, tuple) and "QUANCHENG_TEST_PG" in report.longrepr[2]:
            self.missed.append(f"{report.nodeid}: {report.longrepr[2].removeprefix('Skipped: ')}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        passing = session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
        if self.missed and os.environ.get("QUANCHENG_TEST_PG") and passing:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.missed and os.environ.get("QUANCHENG_TEST_PG"):
            terminalreporter.section("skipped on PostgreSQL although QUANCHENG_TEST_PG is set", red=True)
            for line in self.missed:
                terminalreporter.line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(PostgresGate(), "postgres_gate_instance")
