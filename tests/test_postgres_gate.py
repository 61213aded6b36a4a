"""The CI gate: with QUANCHENG_TEST_PG set, a skip for want of PostgreSQL fails the run; other skips do not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = """
import pytest

def test_runs() -> None:
    pass

def test_skips() -> None:
    pytest.skip({reason!r})
"""
MODULE_SKIP = """
import pytest

pytest.skip({reason!r}, allow_module_level=True)
"""


def run_sample(tmp_path: Path, source: str, reason: str, pg: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(source.format(reason=reason))
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QUANCHENG_TEST_PG": pg,
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.postgres_gate", "-p", "no:cacheprovider", "-rs", "."],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("source", [SAMPLE, MODULE_SKIP], ids=["test", "module"])
def test_a_skip_for_want_of_postgresql_fails_a_run_that_sets_it(tmp_path: Path, source: str) -> None:
    answer = run_sample(tmp_path, source, "QUANCHENG_TEST_PG unset: no PostgreSQL to test on", pg="postgres://x")
    assert answer.returncode == pytest.ExitCode.TESTS_FAILED, answer.stdout + answer.stderr
    assert "skipped on PostgreSQL although QUANCHENG_TEST_PG is set" in answer.stdout
    assert "test_sample.py" in answer.stdout.split("although QUANCHENG_TEST_PG is set")[1]


def test_the_same_skip_passes_a_run_without_postgresql(tmp_path: Path) -> None:
    answer = run_sample(tmp_path, SAMPLE, "QUANCHENG_TEST_PG unset: no PostgreSQL to test on", pg="")
    assert answer.returncode == pytest.ExitCode.OK, answer.stdout + answer.stderr
    assert "SKIPPED [1] test_sample.py:8: QUANCHENG_TEST_PG unset" in answer.stdout
    assert "although QUANCHENG_TEST_PG is set" not in answer.stdout


def test_a_sqlite_skip_of_a_postgresql_only_test_passes_a_run_that_sets_it(tmp_path: Path) -> None:
    answer = run_sample(tmp_path, SAMPLE, "SKIP LOCKED is proven on PostgreSQL", pg="postgres://x")
    assert answer.returncode == pytest.ExitCode.OK, answer.stdout + answer.stderr
    assert "SKIPPED [1] test_sample.py:8: SKIP LOCKED is proven on PostgreSQL" in answer.stdout
