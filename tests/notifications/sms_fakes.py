"""Fake Alibaba Cloud and Tencent Cloud SMS gateways (httpx MockTransports) that check each request the way the
real service does, recomputing its signature from the request as received, and answer in their real shapes.

The recomputation follows each provider's published recipe step by step and shares no code with the adapters in
notifications/sms_gateways.py, so an adapter that signs wrongly is refused here as it would be there. Each fake
knows one template per notice, under the codes the tests configure their adapters with (ALIYUN_CODES, TENCENT_IDS).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote_plus

import httpx

from notifications.models import SmsNotice
from notifications.sms import provider_text

ALIYUN_KEY_ID, ALIYUN_SECRET = "LTAI5tExampleKeyId", "ExampleSecret/with+odd=chars"
TENCENT_ID, TENCENT_KEY, TENCENT_APP = "AKIDExampleSecretId", "ExampleSecretKey", "1400006666"
TEMPLATE_VARIABLES = re.compile(r"\$\{(\w+)\}")
ALIYUN_CODES = {notice: f"SMS_10{index}" for index, notice in enumerate(SmsNotice)}
TENCENT_IDS = {notice: f"20{index}" for index, notice in enumerate(SmsNotice)}


def _aliyun_encode(value: str) -> str:
    # The documented recipe: URL-encode as UTF-8, then "+" -> "%20", "*" -> "%2A", "%7E" -> "~".
    return quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


@dataclass
class FakeAliyun:
    """dysmsapi.aliyuncs.com: answers `answers[phone]` (an error Code) for a number, else OK."""

    templates: dict[str, tuple[str, ...]]  # TemplateCode -> its variable names
    sign_name: str = "泉城活动"
    answers: dict[str, str] = field(default_factory=dict)
    received: list[dict[str, str]] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        params = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        signature = params.pop("Signature", "")
        if params.get("AccessKeyId") != ALIYUN_KEY_ID:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        canonical = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in sorted(params.items()))
        string_to_sign = request.method + "&" + _aliyun_encode("/") + "&" + _aliyun_encode(canonical)
        expected = base64.b64encode(
            hmac.new((ALIYUN_SECRET + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if not hmac.compare_digest(signature, expected):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                f"Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}",
            )
        if params["SignatureNonce"] in self.nonces:
            return self._error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self.nonces.add(params["SignatureNonce"])
        stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs((datetime.now(UTC) - stamp).total_seconds()) > 900:
            return self._error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        assert (params["Action"], params["Version"], params["SignatureMethod"]) == (
            "SendSms",
            "2017-05-25",
            "HMAC-SHA1",
        )
        self.received.append(params)
        if params["SignName"] != self.sign_name:
            return self._answer("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        variables = self.templates.get(params["TemplateCode"])
        if variables is None:
            return self._answer("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        if set(json.loads(params["TemplateParam"])) != set(variables):
            return self._answer("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        if not re.fullmatch(r"1[3-9]\d{9}", params["PhoneNumbers"]):
            return self._answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        code = self.answers.get(params["PhoneNumbers"], "OK")
        return self._answer(code, "OK" if code == "OK" else "触发号码天级流控Permits:10", biz_id=code == "OK")

    def _answer(self, code: str, message: str, *, biz_id: bool = False) -> httpx.Response:
        body = {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper()}
        if biz_id:
            body["BizId"] = "900619746936498440^0"
        return httpx.Response(200, json=body)

    def _error(self, status: int, code: str, message: str) -> httpx.Response:
        body = {"RequestId": str(uuid.uuid4()).upper(), "HostId": "dysmsapi.aliyuncs.com", "Code": code}
        return httpx.Response(status, json={**body, "Message": message, "Recommend": "https://api.aliyun.com/"})


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


@dataclass
class FakeTencent:
    """sms.tencentcloudapi.com: answers `answers[phone]` (a send-status Code) for a number, else Ok."""

    templates: dict[str, int]  # TemplateId -> how many variables
    sign_name: str = "泉城活动"
    answers: dict[str, str] = field(default_factory=dict)
    request_error: str | None = None  # a whole-request Error code to answer instead
    received: list[dict[str, object]] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        authorization = request.headers.get("Authorization", "")
        found = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
            r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
            authorization,
        )
        if not found:
            return self._error("AuthFailure.InvalidAuthorization", "Authorization header is invalid.")
        secret_id, date, signed_headers, signature = found.groups()
        if secret_id != TENCENT_ID:
            return self._error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        timestamp = int(request.headers["X-TC-Timestamp"])
        if abs(datetime.now(UTC).timestamp() - timestamp) > 300:
            return self._error("AuthFailure.SignatureExpire", "Signature expired.")
        if "content-type" not in signed_headers.split(";") or "host" not in signed_headers.split(";"):
            return self._error("AuthFailure.InvalidAuthorization", "content-type and host must be signed.")
        # CanonicalRequest: method, URI, query, headers "key:value\n" (both lower-cased, trimmed), signed, body hash
        canonical_headers = "".join(
            f"{name}:{request.headers[name].strip().lower()}\n" for name in signed_headers.split(";")
        )
        canonical_request = "\n".join(
            [
                request.method,
                request.url.path,
                request.url.query.decode(),
                canonical_headers,
                signed_headers,
                hashlib.sha256(request.content).hexdigest(),
            ]
        )
        string_to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                f"{date}/sms/tc3_request",
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        secret_date = _hmac256(("TC3" + TENCENT_KEY).encode(), date)
        secret_signing = _hmac256(_hmac256(secret_date, "sms"), "tc3_request")
        expected = hmac.new(secret_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if date != datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") or not hmac.compare_digest(
            signature, expected
        ):
            return self._error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        headers = (request.headers["X-TC-Action"], request.headers["X-TC-Version"])
        assert headers == ("SendSms", "2021-01-11")
        payload = json.loads(request.content)
        self.received.append(payload)
        if self.request_error:
            return self._error(self.request_error, "request refused")
        if payload["SmsSdkAppId"] != TENCENT_APP:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.")
        if payload["SignName"] != self.sign_name:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved", "signature format is error")
        if len(payload["TemplateParamSet"]) != self.templates.get(payload["TemplateId"], -1):
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved", "template is not approved")
        statuses = []
        for number in payload["PhoneNumberSet"]:
            code = self.answers.get(number, "Ok")
            if not re.fullmatch(r"\+861[3-9]\d{9}", number):
                code = "InvalidParameterValue.IncorrectPhoneNumber"
            statuses.append(
                {
                    "SerialNo": "5000:1045710669157053657849499619" if code == "Ok" else "",
                    "PhoneNumber": number,
                    "Fee": 1 if code == "Ok" else 0,
                    "SessionContext": payload.get("SessionContext", ""),
                    "Code": code,
                    "Message": "send success" if code == "Ok" else "refused",
                    "IsoCode": "CN",
                }
            )
        return httpx.Response(200, json={"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})

    def _error(self, code: str, message: str) -> httpx.Response:
        body = {"Error": {"Code": code, "Message": message}, "RequestId": str(uuid.uuid4())}
        return httpx.Response(200, json={"Response": body})


def fake_aliyun() -> FakeAliyun:
    """Alibaba Cloud with a template (code in ALIYUN_CODES) for every notice, with the variables its text names."""
    variables = {ALIYUN_CODES[n]: tuple(TEMPLATE_VARIABLES.findall(provider_text(n, "aliyun"))) for n in SmsNotice}
    return FakeAliyun(templates=variables)


def fake_tencent() -> FakeTencent:
    """Tencent Cloud with a template (id in TENCENT_IDS) for every notice, with as many variables as its text."""
    return FakeTencent(templates={TENCENT_IDS[n]: provider_text(n, "tencent").count("{") for n in SmsNotice})
