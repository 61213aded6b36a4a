"""The CI gate for hostile text: every text value a request carries (body leaves, dict keys, query values, path
segments) is replaced, one at a time, with strings a database, a spreadsheet or a mail header may refuse (NUL,
C0/C1 controls, bidi overrides, 10 kB, emoji, lone surrogates); every answer must be 2xx, 3xx or 4xx.

The base requests are schemathesis cases that fit the document, so the hostile value travels as far into the
handler as the rest of the request allows.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from tests.events.support import organiser, published_event, register
from tests.server.fuzzing import AnyCase, generated_cases, send_request

HOSTILE_CHARACTERS = "\x00\x01\x08\x0b\x1b\x7f\x85\x9f\u202a\u202e\u2066\u2069\u200b\u200d\ufeff\ufffe\ud800\udfff"
HOSTILE = st.one_of(
    st.sampled_from(["\x00", "%00", "a\x00b", "\u202egnp.exe", "👩‍💻🇨🇳", "x" * 10_000, "名" * 5_000, "\ud83d"]),
    st.text(st.sampled_from(HOSTILE_CHARACTERS + "a名😀\t\n\r"), min_size=1, max_size=40),
)
STRINGS_PER_RUN = 40
SESSION_ENDING = {("POST", "/api/v1/auth/logout")}


def _hostile_strings(count: int) -> list[str]:
    drawn: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(HOSTILE)
    def collect(text: str) -> None:
        drawn.append(text)

    collect()
    return drawn


def _text_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every string in a JSON value; a dict key is addressed as ("key", name)."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, ("key", key))
            yield from _text_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_leaves(item, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], text: str) -> Any:
    if not path:
        return text
    changed = copy.copy(value)
    step = path[0]
    if isinstance(step, tuple):  # rename a key
        changed[text] = changed.pop(step[1])
        return changed
    changed[step] = _replaced(value[step], path[1:], text)
    return changed


def _hostile_variants(case: AnyCase, base_url: str, strings: Iterator[str]) -> Iterator[dict[str, Any]]:
    """The case's request again with one text value at a time replaced by the next hostile string."""
    request: dict[str, Any] = case.as_transport_kwargs(base_url=base_url)
    body = request.get("json")
    for path in _text_leaves(body):
        yield {**request, "json": _replaced(body, path, next(strings))}
    query = request.get("params") or {}
    for name in query:  # numbers and flags get text too: the parser must refuse it
        yield {**request, "params": {**query, name: next(strings)}}
    for name, value in case.path_parameters.items():
        if isinstance(value, str):
            segments = {key: quote(str(each), safe="") for key, each in case.path_parameters.items()}
            url_path = case.path.format(**{**segments, name: quote(next(strings), safe="", errors="surrogatepass")})
            yield {**request, "url": base_url.rstrip("/") + url_path}


def _cycle(strings: list[str]) -> Iterator[str]:
    while True:
        yield from strings


async def test_hostile_text_in_any_value_never_gets_a_5xx(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    assert (await register(client, event_id, "someone@example.cn")).status_code == 201
    strings = _cycle(_hostile_strings(STRINGS_PER_RUN))
    bases = generated_cases(2, skip=SESSION_ENDING, modes=(GenerationMode.POSITIVE,))
    sent = 0
    server_errors: Counter[str] = Counter()
    for base in bases:
        for request in _hostile_variants(base, str(client.base_url), strings):
            for caller in ({}, headers):
                answer = await send_request(client, request, caller)
                sent += 1
                if answer.status_code >= 500:
                    server_errors[f"{base.method} {base.path} → {answer.status_code}"] += 1
    assert sent > 300
    assert not server_errors, f"{sum(server_errors.values())} of {sent}:\n" + "\n".join(
        f"{count}× {what}" for what, count in server_errors.most_common()
    )
