"""The message catalogue: both languages complete, and locale negotiation."""

from __future__ import annotations

import pytest

from server import errors
from server.i18n import catalogue, negotiate, translate


def test_both_catalogues_have_the_same_keys_and_no_empty_message() -> None:
    assert catalogue("zh-CN").keys() == catalogue("en").keys()
    assert all(catalogue("zh-CN").values()) and all(catalogue("en").values())


def _all_kinds(kind: type[errors.DomainError]) -> list[type[errors.DomainError]]:
    return [kind, *(sub for child in kind.__subclasses__() for sub in _all_kinds(child))]


def test_every_error_kind_has_a_title_and_detail_in_both_languages() -> None:
    import server.app  # noqa: F401  (every package's errors)

    kinds = _all_kinds(errors.DomainError)
    assert len(kinds) >= 19
    for kind in kinds:
        for locale in ("zh-CN", "en"):
            assert kind.key in catalogue(locale) and f"{kind.key}.detail" in catalogue(locale), kind


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("fr-FR,en;q=0.5,zh;q=0.7", "zh-CN"),
        ("fr-FR", "zh-CN"),
        ("en;q=0", "zh-CN"),
        ("en;q=abc", "zh-CN"),
        (None, "zh-CN"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate(header, "zh-CN") == expected


def test_translate_fills_placeholders_and_survives_missing_ones() -> None:
    assert translate("validation.string_too_long", "en", max_length=5) == "Must have at most 5 characters"
    assert translate("validation.string_too_long", "zh-CN") == "不能超过 {max_length} 个字符"
    assert translate("no.such.key", "en") == "no.such.key"


def test_every_message_key_named_in_the_code_is_in_the_catalogue() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    used = {
        key
        for package in ("server", "events", "talent", "notifications")
        for path in (root / package).rglob("*.py")
        for key in re.findall(
            r'"((?:error|validation|status|event_status|event_kind|export|rule|report_status|sheet|dashboard)\.[a-z_]+)"',
            path.read_text("utf-8"),
        )
    }
    assert len(used) > 40
    assert sorted(used - catalogue("zh-CN").keys()) == []
