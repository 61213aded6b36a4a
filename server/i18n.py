"""The message catalogue (one JSON file per language) and locale negotiation."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, get_args

from server.settings import Locale

LOCALES: tuple[Locale, ...] = get_args(Locale)
_DIR = Path(__file__).parent / "locales"


@cache
def catalogue(locale: Locale) -> dict[str, str]:
    data: dict[str, str] = json.loads((_DIR / f"{locale}.json").read_text("utf-8"))
    return data


class Label(str):
    """A parameter that is itself a catalogue key, translated when the message is (e.g. a status name)."""


class Named(dict[str, str]):
    """A parameter that is data in both languages (`{"zh": ..., "en": ...}`, e.g. a level's name), picked in
    the message's language."""


def translate(key: str, locale: Locale, **params: Any) -> str:
    """The message for `key` in `locale`, with `{placeholders}` filled; the key itself if unknown."""
    template = catalogue(locale).get(key) or catalogue("en").get(key) or key
    values = {name: _in_language(value, locale) for name, value in params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _in_language(value: Any, locale: Locale) -> Any:
    if isinstance(value, Label):
        return translate(value, locale)
    if isinstance(value, Named):
        return pick(value, locale)
    return value


def negotiate(accept_language: str | None, default: Locale) -> Locale:
    """Pick zh-CN or en from an Accept-Language header by quality, falling back to `default`."""
    best: tuple[float, Locale] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        match = _match(tag.strip().lower())
        if match and quality > 0 and (best is None or quality > best[0]):
            best = (quality, match)
    return best[1] if best else default


def _match(tag: str) -> Locale | None:
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return None


def pick(text: dict[str, str] | None, locale: Locale) -> str:
    """The `{"zh": ..., "en": ...}` text in the reader's language, falling back to Chinese."""
    if not text:
        return ""
    return text.get("en" if locale == "en" else "zh") or text.get("zh") or ""
