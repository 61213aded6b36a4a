"""The two mainland SMS providers over their HTTP APIs, each signing its requests as the provider verifies them.

- Alibaba Cloud SMS (dysmsapi `SendSms`, version 2017-05-25): an RPC request whose parameters are signed with
  HMAC-SHA1 over the percent-encoded canonical query (signature version 1.0).
- Tencent Cloud SMS (`SendSms`, version 2021-01-11): a JSON POST signed with TC3-HMAC-SHA256.

Each maps the provider's error codes to retry (throttling, the provider's own faults) or fail (a bad number,
an unapproved sign or template, bad credentials: nothing a later attempt changes). A gateway that cannot be
reached raises httpx.TransportError, and the worker keeps the message for as long as the outage lasts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx

from notifications.models import SmsNotice
from notifications.sms import SMS_PARAMETERS, Gateway, GatewayRefused, Sms

TIMEOUT = httpx.Timeout(10.0)

ALIYUN_HOST = "dysmsapi.aliyuncs.com"
ALIYUN_RETRY = frozenset(
    {
        "isp.SYSTEM_ERROR",
        "isp.GATEWAY_ERROR",
        "isv.BUSINESS_LIMIT_CONTROL",
        "isv.DAY_LIMIT_CONTROL",
        "ServiceUnavailable",
        "InternalError",
    }
)

TENCENT_HOST = "sms.tencentcloudapi.com"
TENCENT_RETRY_PREFIXES = ("InternalError", "RequestLimitExceeded", "LimitExceeded.", "ResourceUnavailable")


def aliyun_percent(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud canonicalises it: only A-Z a-z 0-9 - _ . ~ stay, UTF-8 bytes as %XY."""
    return quote(value, safe="-_.~")


def aliyun_signature(secret: str, method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{aliyun_percent(k)}={aliyun_percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class AliyunSms:
    access_key_id: str
    access_key_secret: str = field(repr=False)
    sign_name: str
    templates: dict[SmsNotice, str]
    host: str = ALIYUN_HOST
    region: str = "cn-hangzhou"
    scheme: str = "https"
    transport: httpx.AsyncBaseTransport | None = None  # tests put a fake gateway here

    def request_params(self, sms: Sms, *, now: datetime, nonce: str) -> dict[str, str]:
        params = {
            "Action": "SendSms",
            "Version": "2017-05-25",
            "Format": "JSON",
            "RegionId": self.region,
            "AccessKeyId": self.access_key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": nonce,
            "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "PhoneNumbers": sms.to.removeprefix("+86"),
            "SignName": self.sign_name,
            "TemplateCode": self.templates[sms.notice],
            "TemplateParam": json.dumps(sms.params, ensure_ascii=False, separators=(",", ":")),
            "OutId": sms.id,
        }
        return {**params, "Signature": aliyun_signature(self.access_key_secret, "POST", params)}

    async def send(self, sms: Sms) -> str:
        params = self.request_params(sms, now=datetime.now(UTC), nonce=uuid.uuid4().hex)
        async with httpx.AsyncClient(transport=self.transport, timeout=TIMEOUT) as client:
            response = await client.post(f"{self.scheme}://{self.host}/", data=params)
        answer = _json(response)
        code = str(answer.get("Code", f"HTTP {response.status_code}"))
        if code == "OK":
            return str(answer.get("BizId", ""))
        retry = code in ALIYUN_RETRY or code.startswith("Throttling") or response.status_code >= 500
        raise GatewayRefused(code, str(answer.get("Message", response.reason_phrase)), retry=retry)


def _hmac_sha256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tencent_authorization(
    secret_id: str, secret_key: str, *, host: str, action: str, body: bytes, timestamp: int
) -> str:
    """The TC3-HMAC-SHA256 `Authorization` header of a JSON POST to `/` (service `sms`)."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host;x-tc-action"
    canonical_headers = f"content-type:application/json; charset=utf-8\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(body).hexdigest()]
    )
    scope = f"{date}/sms/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    signing_key = _hmac_sha256(_hmac_sha256(_hmac_sha256(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


@dataclass(frozen=True)
class TencentSms:
    secret_id: str
    secret_key: str = field(repr=False)
    sdk_app_id: str
    sign_name: str
    templates: dict[SmsNotice, str]
    host: str = TENCENT_HOST
    region: str = "ap-guangzhou"
    scheme: str = "https"
    transport: httpx.AsyncBaseTransport | None = None

    def request(self, sms: Sms, *, timestamp: int) -> tuple[dict[str, str], bytes]:
        payload = {
            "PhoneNumberSet": [sms.to],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name,
            "TemplateId": self.templates[sms.notice],
            "TemplateParamSet": [sms.params[name] for name in SMS_PARAMETERS[sms.notice]],
            "SessionContext": sms.id,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Authorization": tencent_authorization(
                self.secret_id, self.secret_key, host=self.host, action="SendSms", body=body, timestamp=timestamp
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": self.host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": self.region,
        }
        return headers, body

    async def send(self, sms: Sms) -> str:
        headers, body = self.request(sms, timestamp=int(datetime.now(UTC).timestamp()))
        async with httpx.AsyncClient(transport=self.transport, timeout=TIMEOUT) as client:
            response = await client.post(f"{self.scheme}://{self.host}/", content=body, headers=headers)
        answer = _json(response).get("Response", {})
        error = answer.get("Error") if isinstance(answer, dict) else None
        if isinstance(error, dict):  # the whole request was refused (signature, parameters, throttling)
            raise _tencent_refusal(str(error.get("Code")), str(error.get("Message", "")), response.status_code)
        statuses = answer.get("SendStatusSet") if isinstance(answer, dict) else None
        if not statuses:
            raise GatewayRefused(f"HTTP {response.status_code}", "no send status", retry=True)
        status = statuses[0]
        if status.get("Code") == "Ok":
            return str(status.get("SerialNo", ""))
        raise _tencent_refusal(str(status.get("Code")), str(status.get("Message", "")), response.status_code)


def _tencent_refusal(code: str, message: str, http_status: int) -> GatewayRefused:
    return GatewayRefused(code, message, retry=code.startswith(TENCENT_RETRY_PREFIXES) or http_status >= 500)


def _json(response: httpx.Response) -> dict[str, Any]:
    """The provider's JSON answer; anything else (a proxy's error page) is an empty answer."""
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def gateway_for(
    url: str, sign_name: str, templates: dict[SmsNotice, str], transport: httpx.AsyncBaseTransport | None = None
) -> Gateway:
    """The provider named by SMS_URL (`aliyun://KEY_ID:SECRET@host?region=`, `tencent://ID:KEY@host?app=&region=`)."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    scheme = "http" if query.get("tls") == "off" else "https"
    if parts.scheme == "aliyun":
        return AliyunSms(
            user,
            password,
            sign_name,
            templates,
            host=parts.netloc.rpartition("@")[2] or ALIYUN_HOST,
            region=query.get("region", "cn-hangzhou"),
            scheme=scheme,
            transport=transport,
        )
    return TencentSms(
        user,
        password,
        query["app"],
        sign_name,
        templates,
        host=parts.netloc.rpartition("@")[2] or TENCENT_HOST,
        region=query.get("region", "ap-guangzhou"),
        scheme=scheme,
        transport=transport,
    )
