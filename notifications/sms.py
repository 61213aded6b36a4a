"""SMS: the notices that may go by SMS, their zh-CN texts, and the gateways a message leaves through.

Each notice is one template registered at the provider (Alibaba Cloud or Tencent Cloud) under a code or id of
its own, with the parameters listed here. `templates/sms/<notice>.txt` is the text: rendered with the values
by the file gateway, and with the provider's variable syntax to show what to register (`provider_text`).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from notifications.models import SmsNotice

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "sms"), undefined=StrictUndefined, autoescape=False
)
PARAMETER_LIMIT = 35  # characters per variable: Alibaba Cloud's limit for free-text variables in notices
Provider = Literal["aliyun", "tencent"]

# The parameters of each notice, in the order of Tencent Cloud's numbered variables ({1}, {2}, ...).
SMS_PARAMETERS: dict[SmsNotice, tuple[str, ...]] = {
    SmsNotice.APPROVAL: ("name", "event", "time"),
    SmsNotice.OFFER: ("name", "event", "deadline"),
    SmsNotice.REMINDER: ("event", "time", "place"),
    SmsNotice.CANCELLATION: ("name", "event"),
}


def clip(value: str) -> str:
    """A parameter value cut to what a provider accepts in one variable."""
    value = " ".join(value.split())
    return value if len(value) <= PARAMETER_LIMIT else value[: PARAMETER_LIMIT - 1] + "…"


def text(notice: SmsNotice, params: dict[str, str]) -> str:
    """The message as the recipient reads it (without the sign name, which the gateway adds)."""
    return _ENV.get_template(f"{notice.value}.txt").render(params).strip()


def provider_text(notice: SmsNotice, provider: Provider) -> str:
    """The template text to register at the provider: `${name}` variables (Alibaba) or `{1}`, `{2}` (Tencent)."""
    names = SMS_PARAMETERS[notice]
    if provider == "aliyun":
        return text(notice, {name: f"${{{name}}}" for name in names})
    return text(notice, {name: f"{{{index}}}" for index, name in enumerate(names, start=1)})


@dataclass(frozen=True)
class Sms:
    """One SMS to one mainland number (`+86...`). `id` is the outbox row's, sent along as the provider's
    out-id so that a resent message is recognisable."""

    id: str
    to: str
    notice: SmsNotice
    params: dict[str, str]


class GatewayRefused(Exception):
    """The gateway answered and did not take the message: `retry` when a later attempt may succeed."""

    def __init__(self, code: str, message: str, *, retry: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.retry = code, message, retry


class Gateway(Protocol):
    async def send(self, sms: Sms) -> str:
        """Hand one message to the provider; answers its id for it. Raises GatewayRefused, or httpx.TransportError
        (or OSError) when the gateway cannot be reached."""
        ...


@dataclass(frozen=True)
class FileGateway:
    """The embedded default: each message becomes `<id>.sms.json` in a folder, written whole or not at all."""

    folder: Path
    sign_name: str

    async def send(self, sms: Sms) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {
            "id": sms.id,
            "to": sms.to,
            "notice": sms.notice.value,
            "sign_name": self.sign_name,
            "params": sms.params,
            "text": f"【{self.sign_name}】{text(sms.notice, sms.params)}",
        }
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False, indent=2)
        os.replace(temporary, self.folder / f"{sms.id}.sms.json")
        return sms.id
