"""The web UI's catalogues (static/i18n): both languages complete, every literal key the pages use present."""

from __future__ import annotations

import json
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
# t("key") or t("key", {...}), not t("orgs.kind." + kind)
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([\w.]+)["']\s*[,)]""")


def _catalogue(locale: str) -> dict[str, str]:
    return dict(json.loads((STATIC / "i18n" / f"{locale}.json").read_text(encoding="utf-8")))


def test_both_web_catalogues_have_the_same_keys_and_no_empty_message() -> None:
    zh, en = _catalogue("zh-CN"), _catalogue("en")
    assert zh.keys() == en.keys(), sorted(zh.keys() ^ en.keys())
    assert [key for key, text in {**zh, **en}.items() if not text.strip()] == []


def test_every_key_the_pages_name_is_in_the_catalogue() -> None:
    scripts = sorted((STATIC / "app").glob("*.js"))
    used = {key for script in scripts for key in LITERAL_KEY.findall(script.read_text(encoding="utf-8"))}
    assert len(used) > 100  # the pattern still finds the keys
    assert sorted(used - _catalogue("zh-CN").keys()) == []


def test_no_merge_leftovers_in_the_pages() -> None:
    marker = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)
    files = [*(STATIC / "app").iterdir(), *(STATIC / "i18n").iterdir(), STATIC / "index.html"]
    assert [f.name for f in files if marker.search(f.read_text(encoding="utf-8"))] == []
