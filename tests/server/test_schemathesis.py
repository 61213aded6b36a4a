"""The CI gate over the OpenAPI document: schemathesis generates requests for every operation, valid and not,
anonymous and with an organiser's token; no answer may be a 5xx, and every answer must match the documented
status codes, media types and schemas.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from schemathesis import checks

from tests.events.support import organiser, published_event, register
from tests.server.fuzzing import generated_cases, send

EXAMPLES_PER_OPERATION = 8  # per generation mode
# Operations that end the caller's own session (erasing the account ends it for good): fuzzed early, they would
# turn every later request into a 401.
SESSION_ENDING = {
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/logout-everywhere"),
    ("POST", "/api/v1/me/erase"),
}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.mark.parametrize("caller", ["anonymous", "organiser"])
async def test_no_generated_request_gets_a_5xx_or_undocumented_answer(client: httpx.AsyncClient, caller: str) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    assert (await register(client, event_id, "someone@example.cn")).status_code == 201
    cases = generated_cases(EXAMPLES_PER_OPERATION, skip=SESSION_ENDING if caller == "organiser" else set())
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    for case in cases:
        answer = await send(client, case, headers if caller == "organiser" else {})
        statuses[answer.status_code] += 1
        try:
            case.validate_response(answer, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as failure:
            failures[f"{case.method} {case.path} → {answer.status_code}: {_first_line(failure)}"] += 1
    assert len(cases) > 800
    assert caller == "anonymous" or statuses[401] < len(cases) // 2, statuses  # the organiser's token stayed valid
    assert not failures, f"{sum(failures.values())} of {len(cases)} failed:\n" + "\n".join(
        f"{count}× {what}" for what, count in failures.most_common()
    )


def _first_line(failure: BaseException) -> str:
    if isinstance(failure, BaseExceptionGroup):
        return "; ".join(_first_line(each) for each in failure.exceptions)
    return str(failure).strip().splitlines()[0] if str(failure).strip() else type(failure).__name__
