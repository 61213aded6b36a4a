"""SMS through the outbox: both providers against fakes that verify their signatures, retry and fail by their
error codes, outages, the send limits, the file gateway, and what the organiser sees."""

from __future__ import annotations

import asyncio
import json
import sys
from asyncio.subprocess import PIPE
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tortoise.transactions import in_transaction

from notifications import sms_worker
from notifications.models import Channel, MailStatus, OutboxMessage, SmsNotice
from notifications.outbox import Mail, NotInTransaction, enqueue
from notifications.sms import SMS_PARAMETERS, FileGateway, Gateway, Sms, clip, provider_text
from notifications.sms_gateways import AliyunSms, TencentSms, gateway_for
from notifications.sms_worker import SmsLimits, SmsWorker
from notifications.transport import FileTransport
from notifications.worker import MAX_ATTEMPTS, Worker
from server.clock import utcnow
from tests.notifications.sms_fakes import (
    ALIYUN_CODES,
    ALIYUN_KEY_ID,
    ALIYUN_SECRET,
    TENCENT_APP,
    TENCENT_ID,
    TENCENT_IDS,
    TENCENT_KEY,
    FakeAliyun,
    FakeTencent,
    fake_aliyun,
    fake_tencent,
)
from tests.notifications.sms_process import SlowGateway, limit_reached_slowly
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]

PARAMS = {"name": "王芳", "event": "人工智能赋能制造业论坛", "time": "2027-03-18 09:00"}


def aliyun(fake: FakeAliyun, secret: str = ALIYUN_SECRET) -> AliyunSms:
    return AliyunSms(ALIYUN_KEY_ID, secret, "泉城活动", ALIYUN_CODES, transport=fake.transport())


def tencent(fake: FakeTencent, key: str = TENCENT_KEY) -> TencentSms:
    return TencentSms(TENCENT_ID, key, TENCENT_APP, "泉城活动", TENCENT_IDS, transport=fake.transport())


def worker(gateway: Gateway, limits: SmsLimits | None = None) -> SmsWorker:
    return SmsWorker(gateway=gateway, limits=limits or SmsLimits(), name="sms-1")


async def texts(*numbers: str, topic: str = "event:1", prefix: str = "s") -> None:
    mails = [
        Mail(
            channel=Channel.SMS,
            template="approval",
            to=number,
            locale="zh-CN",
            context=dict(PARAMS),
            dedupe_key=f"{prefix}:{index}",
            topic=topic,
        )
        for index, number in enumerate(numbers)
    ]
    async with in_transaction():
        await enqueue(*mails)


async def states() -> list[tuple[str, MailStatus, str]]:
    rows = await OutboxMessage.filter(channel=Channel.SMS).order_by("id")
    return [(row.to_addr, row.status, row.last_error) for row in rows]


async def due_now() -> None:
    await OutboxMessage.filter(status=MailStatus.RETRY).update(next_attempt_at=utcnow() - timedelta(seconds=1))


async def test_aliyun_request_is_signed_as_the_service_verifies_it(db: str) -> None:
    fake = fake_aliyun()
    await texts("+8613800138000")
    assert await worker(aliyun(fake)).drain_once() == 1
    (request,) = fake.received
    assert request["PhoneNumbers"] == "13800138000"
    assert (request["SignName"], request["TemplateCode"]) == ("泉城活动", ALIYUN_CODES[SmsNotice.APPROVAL])
    assert json.loads(request["TemplateParam"]) == PARAMS
    row = await OutboxMessage.get(channel=Channel.SMS)
    assert request["OutId"] == row.message_id
    assert (row.status, row.attempts, row.sent_at is not None) == (MailStatus.SENT, 1, True)


async def test_aliyun_refuses_a_wrong_secret_and_the_message_fails(db: str) -> None:
    fake = fake_aliyun()  # the negative control: the fake really checks the signature
    await texts("+8613800138000")
    await worker(aliyun(fake, secret="not-the-secret")).drain_once()
    ((_, status, error),) = await states()
    assert status is MailStatus.FAILED and error.startswith("SignatureDoesNotMatch:")
    assert fake.received == []


async def test_aliyun_throttling_is_retried_and_then_sent(db: str) -> None:
    fake = fake_aliyun()
    fake.answers["13800138000"] = "isv.BUSINESS_LIMIT_CONTROL"
    await texts("+8613800138000")
    await worker(aliyun(fake)).drain_once()
    row = await OutboxMessage.get(channel=Channel.SMS)
    assert (row.status, row.attempts) == (MailStatus.RETRY, 1)
    assert row.last_error.startswith("isv.BUSINESS_LIMIT_CONTROL:")
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    fake.answers.clear()
    await due_now()
    await worker(aliyun(fake)).drain_once()
    assert [status for _, status, _ in await states()] == [MailStatus.SENT]


@pytest.mark.parametrize(
    "code", ["isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT"]
)
async def test_aliyun_refusals_that_no_retry_changes_fail_at_once(db: str, code: str) -> None:
    fake = fake_aliyun()
    fake.answers["13800138000"] = code
    await texts("+8613800138000", "+8613900139000")
    await worker(aliyun(fake)).drain_once()
    assert [(to, status, error.split(":")[0]) for to, status, error in await states()] == [
        ("+8613800138000", MailStatus.FAILED, code),
        ("+8613900139000", MailStatus.SENT, ""),
    ]


async def test_tencent_request_is_signed_as_the_service_verifies_it(db: str) -> None:
    fake = fake_tencent()
    await texts("+8613800138000")
    await worker(tencent(fake)).drain_once()
    (payload,) = fake.received
    assert payload["PhoneNumberSet"] == ["+8613800138000"]
    assert payload["TemplateId"] == TENCENT_IDS[SmsNotice.APPROVAL]
    assert payload["TemplateParamSet"] == [PARAMS[name] for name in SMS_PARAMETERS[SmsNotice.APPROVAL]]
    assert (payload["SmsSdkAppId"], payload["SignName"]) == (TENCENT_APP, "泉城活动")
    assert [status for _, status, _ in await states()] == [MailStatus.SENT]


async def test_tencent_refuses_a_wrong_key_and_the_message_fails(db: str) -> None:
    fake = fake_tencent()
    await texts("+8613800138000")
    await worker(tencent(fake, key="not-the-key")).drain_once()
    ((_, status, error),) = await states()
    assert status is MailStatus.FAILED and error.startswith("AuthFailure.SignatureFailure:")
    assert fake.received == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("InvalidParameterValue.IncorrectPhoneNumber", MailStatus.FAILED),
        ("FailedOperation.PhoneNumberInBlacklist", MailStatus.FAILED),
        ("LimitExceeded.PhoneNumberDailyLimit", MailStatus.RETRY),
        ("InternalError.Timeout", MailStatus.RETRY),
    ],
)
async def test_tencent_send_status_codes_decide_retry_or_fail(db: str, code: str, expected: MailStatus) -> None:
    fake = fake_tencent()
    fake.answers["+8613800138000"] = code
    await texts("+8613800138000")
    await worker(tencent(fake)).drain_once()
    ((_, status, error),) = await states()
    assert (status, error.split(":")[0]) == (expected, code)


async def test_tencent_whole_request_throttling_is_retried(db: str) -> None:
    fake = fake_tencent()
    fake.request_error = "RequestLimitExceeded"
    await texts("+8613800138000")
    await worker(tencent(fake)).drain_once()
    assert [status for _, status, _ in await states()] == [MailStatus.RETRY]


async def test_an_outage_loses_nothing_however_long_it_lasts(db: str) -> None:
    """Connection refused on a real loopback port: every message waits, past the attempts a refusal gets."""
    url = f"aliyun://{ALIYUN_KEY_ID}:{ALIYUN_SECRET.replace('/', '%2F').replace('+', '%2B')}@127.0.0.1:{free_port()}"
    down = gateway_for(url + "?tls=off", "泉城活动", ALIYUN_CODES)
    await texts("+8613800138000", "+8613900139000", "+8613700137000")
    for _ in range(MAX_ATTEMPTS + 2):
        assert await worker(down).drain_once() == 3
        await due_now()
    rows = await OutboxMessage.filter(channel=Channel.SMS)
    assert {row.status for row in rows} == {MailStatus.RETRY}
    assert all(row.last_error.startswith("gateway unavailable: ConnectError") for row in rows)
    fake = fake_aliyun()
    await worker(aliyun(fake)).drain_once()
    assert sorted(request["PhoneNumbers"] for request in fake.received) == ["13700137000", "13800138000", "13900139000"]
    assert {status for _, status, _ in await states()} == {MailStatus.SENT}


async def test_the_per_number_limit_fails_the_excess_with_its_reason(db: str) -> None:
    fake = fake_aliyun()
    await texts("+8613800138000", "+8613800138000", "+8613800138000", "+8613900139000")
    await worker(aliyun(fake), SmsLimits(per_number_hour=2)).drain_once()
    assert [(to, status) for to, status, _ in await states()] == [
        ("+8613800138000", MailStatus.SENT),
        ("+8613800138000", MailStatus.SENT),
        ("+8613800138000", MailStatus.FAILED),
        ("+8613900139000", MailStatus.SENT),
    ]
    assert (await states())[2][2] == "limit: 2 SMS per number per hour already sent to +8613800138000"
    assert len(fake.received) == 3


@pytest.fixture
def wide_race(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers at once on PostgreSQL, with a pause after each check of the limits, inside its transaction: the
    moment in which two workers could both see the last place free."""
    if not db.startswith("postgres"):
        pytest.skip("two workers at once are proven on PostgreSQL")
    monkeypatch.setattr(SmsWorker, "_limit_reached", limit_reached_slowly)


async def two_workers_drain(gateway: SlowGateway) -> None:
    async def drain(name: str) -> None:
        busy = SmsWorker(gateway=gateway, limits=SmsLimits(per_number_hour=5), name=name, batch=4)
        while await busy.drain_once():
            pass

    await asyncio.gather(drain("a"), drain("b"))


async def test_two_workers_never_pass_a_limit_together(wide_race: None) -> None:
    await texts(*["+8613800138000"] * 30)
    gateway = SlowGateway()
    await two_workers_drain(gateway)
    assert len(gateway.received) == 5
    statuses = [status for _, status, _ in await states()]
    assert (statuses.count(MailStatus.SENT), statuses.count(MailStatus.FAILED)) == (5, 25)


async def test_negative_control_without_the_lock_two_workers_send_past_the_limit(
    wide_race: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unlocked(connection: object, row: object) -> None:
        pass

    monkeypatch.setattr(sms_worker, "one_at_a_time", unlocked)
    await texts(*["+8613800138000"] * 30)
    gateway = SlowGateway()
    await two_workers_drain(gateway)
    assert len(gateway.received) > 5


async def test_the_hourly_limit_lets_a_number_through_again_an_hour_later_until_the_daily_one(db: str) -> None:
    fake = fake_aliyun()
    limits = SmsLimits(per_number_hour=2, per_number_day=2)
    await texts("+8613800138000", prefix="a")
    await worker(aliyun(fake), limits).drain_once()
    await OutboxMessage.filter(status=MailStatus.SENT).update(sent_at=utcnow() - timedelta(minutes=61))
    await texts("+8613800138000", "+8613800138000", prefix="b")
    await worker(aliyun(fake), limits).drain_once()
    assert [status for _, status, _ in await states()] == [MailStatus.SENT, MailStatus.SENT, MailStatus.FAILED]
    assert (await states())[2][2] == "limit: 2 SMS per number per 24 hours already sent to +8613800138000"


async def test_the_per_event_cap_counts_only_that_event(db: str) -> None:
    fake = fake_aliyun()
    await texts("+8613800138000", "+8613900139000", "+8613700137000", topic="event:1")
    await texts("+8613600136000", topic="event:2", prefix="other")
    await worker(aliyun(fake), SmsLimits(per_event_day=2)).drain_once()
    assert [status for _, status, _ in await states()] == [
        MailStatus.SENT,
        MailStatus.SENT,
        MailStatus.FAILED,
        MailStatus.SENT,
    ]
    assert (await states())[2][2] == "limit: 2 SMS per event per 24 hours already sent"


async def test_the_file_gateway_writes_one_json_file_per_message(db: str, tmp_path: Path) -> None:
    await texts("+8613800138000")
    await worker(FileGateway(tmp_path / "sms", "泉城活动")).drain_once()
    row = await OutboxMessage.get(channel=Channel.SMS)
    (written,) = (tmp_path / "sms").iterdir()
    assert written.name == f"{row.message_id}.sms.json"
    record = json.loads(written.read_text(encoding="utf-8"))
    assert (record["to"], record["notice"], record["params"]) == ("+8613800138000", "approval", PARAMS)
    assert (
        record["text"]
        == "【泉城活动】王芳您好，您报名的“人工智能赋能制造业论坛”已通过审核，时间：2027-03-18 09:00。详情请查收邮件。"
    )


async def test_mail_and_sms_workers_claim_only_their_own_channel(db: str, tmp_path: Path) -> None:
    await texts("+8613800138000")
    assert await Worker(FileTransport(tmp_path), sender="e@x.cn").drain_once() == 0
    assert await worker(FileGateway(tmp_path, "泉城活动")).drain_once() == 1


async def test_enqueue_checks_an_sms_has_exactly_its_parameters_and_dedupes(db: str) -> None:
    sms = Mail(
        channel=Channel.SMS,
        template="offer",
        to="+8613800138000",
        locale="zh-CN",
        context={"name": "x", "event": "y"},
        dedupe_key="k",
        topic="event:1",
    )
    with pytest.raises(ValueError, match="deadline"):
        async with in_transaction():
            await enqueue(sms)
    with pytest.raises(NotInTransaction):
        await enqueue(sms)
    await texts("+8613800138000")
    await texts("+8613800138000")
    assert await OutboxMessage.filter(channel=Channel.SMS).count() == 1


def test_provider_texts_use_each_providers_variable_syntax() -> None:
    assert (
        provider_text(SmsNotice.CANCELLATION, "aliyun") == "${name}您好，您在“${event}”的报名已取消，详情请查收邮件。"
    )
    assert provider_text(SmsNotice.CANCELLATION, "tencent") == "{1}您好，您在“{2}”的报名已取消，详情请查收邮件。"
    assert clip("一" * 40) == "一" * 34 + "…" and clip("a  b") == "a b"


def test_gateway_for_reads_the_provider_and_its_account_from_the_url() -> None:
    gateway = gateway_for("tencent://AKID:k%2Fey@sms.example.cn?app=1400006666&region=ap-beijing", "泉城", TENCENT_IDS)
    assert isinstance(gateway, TencentSms)
    assert (gateway.secret_key, gateway.sdk_app_id, gateway.host, gateway.region) == (
        "k/ey",
        "1400006666",
        "sms.example.cn",
        "ap-beijing",
    )


def test_the_readme_lists_exactly_the_templates_to_register() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for notice in SmsNotice:
        row = f"| `{notice.value}` | `{provider_text(notice, 'aliyun')}` | `{provider_text(notice, 'tencent')}` |"
        assert row in readme


async def test_a_proxy_error_page_from_the_gateway_is_retried(db: str) -> None:
    def bad_gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>502 Bad Gateway</html>")

    gateway = AliyunSms(
        ALIYUN_KEY_ID, ALIYUN_SECRET, "泉城活动", ALIYUN_CODES, transport=httpx.MockTransport(bad_gateway)
    )
    await texts("+8613800138000")
    await worker(gateway).drain_once()
    assert await states() == [("+8613800138000", MailStatus.RETRY, "HTTP 502: Bad Gateway")]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.text(min_size=1, max_size=20), min_size=3, max_size=3))
def test_aliyun_signatures_hold_for_any_parameter_text(values: list[str]) -> None:
    """Spaces, `*`, `~`, `+`, `&`, `=` and Chinese in the values are encoded as the service canonicalises them."""
    fake = fake_aliyun()
    params = dict(zip(("name", "event", "time"), values, strict=True))
    sms = Sms("id-1", "+8613800138000", SmsNotice.APPROVAL, params)
    signed = aliyun(fake).request_params(sms, now=datetime.now(UTC), nonce="n-1")
    answer = fake.handle(httpx.Request("POST", "https://dysmsapi.aliyuncs.com/", data=signed))
    assert answer.json()["Code"] == "OK"
    assert json.loads(fake.received[0]["TemplateParam"]) == params


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.text(min_size=1, max_size=20), min_size=3, max_size=3))
def test_tencent_signatures_hold_for_any_parameter_text(values: list[str]) -> None:
    fake = fake_tencent()
    params = dict(zip(("name", "event", "time"), values, strict=True))
    sms = Sms("id-1", "+8613800138000", SmsNotice.APPROVAL, params)
    headers, body = tencent(fake).request(sms, timestamp=int(datetime.now(UTC).timestamp()))
    answer = fake.handle(httpx.Request("POST", "https://sms.tencentcloudapi.com/", headers=headers, content=body))
    assert answer.json()["Response"]["SendStatusSet"][0]["Code"] == "Ok"


async def two_processes_drain(db: str, *control: str) -> list[dict[str, Any]]:
    """Two SMS workers, each in a process of its own, drain one number's 30 texts under a limit of 5."""
    if not db.startswith("sqlite"):
        pytest.skip("processes sharing one SQLite file; PostgreSQL's workers are proven above")
    await texts(*["+8613800138000"] * 30)
    command = [sys.executable, "-m", "tests.notifications.sms_process", db]
    processes = [
        await asyncio.create_subprocess_exec(*command, name, *control, stdin=PIPE, stdout=PIPE, cwd=ROOT)
        for name in ("a", "b")
    ]
    for process in processes:
        assert process.stdout is not None and await process.stdout.readline() == b"ready\n"
    answers = [asyncio.create_task(process.communicate(b"go\n")) for process in processes]  # both at once
    return [json.loads((await answer)[0]) for answer in answers]


async def test_two_worker_processes_on_sqlite_never_pass_a_limit_together(db: str) -> None:
    reports = await two_processes_drain(db)
    assert all(report["handled"] and not report["errors"] for report in reports), reports  # both worked, cleanly
    assert sum(report["sent"] for report in reports) == 5
    statuses = [status for _, status, _ in await states()]
    assert (statuses.count(MailStatus.SENT), statuses.count(MailStatus.FAILED)) == (5, 25)


async def test_negative_control_on_sqlite_processes_that_check_before_they_reserve_fail_as_locked(db: str) -> None:
    reports = await two_processes_drain(db, "check-then-reserve")
    errors = [error for report in reports for error in report["errors"]]
    assert errors and all(error == "OperationalError: database is locked" for error in errors), reports
    statuses = [status for _, status, _ in await states()]
    assert statuses.count(MailStatus.SENT) + statuses.count(MailStatus.FAILED) < 30  # rows left until their lease ends
