"""Dynamic entry codes: a QR payload that changes every ten seconds, so that a forwarded screenshot is useless.

Like TOTP: the window is floor(unix time / 10 s); the code is an HMAC over the registration id and the window under
a secret of the registration's own, derived from the server key (never stored, never sent to the browser: the
holder's page polls `GET /registrations/{id}/entry-code` for the current code). The door accepts a code of the
current window or one either side (clock skew, the time to scan), and each window only once: a registration is
checked in once, in the window its code named (`Registration.checkin_window`, set by a guarded UPDATE).

A second scan of a code that was accepted answers "already checked in"; a code of an older window answers
"expired code", unless it is the retry of the very check-in it made (same nonce), which answers the same again.
The payload is short ASCII for hand scanners that type it: `QE.<id hex>.<window>.<mac>`.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

from server.auth import sign
from server.errors import Conflict

WINDOW_SECONDS = 10
SKEW_WINDOWS = 1
PREFIX = "QE"
_MAC_LENGTH = 10


class EntryCodeExpired(Conflict):
    key = "error.entry_code_expired"


class StaticCodeOff(Conflict):
    key = "error.static_code_off"


@dataclass(frozen=True)
class EntryCode:
    registration_id: uuid.UUID
    window: int

    def is_current(self, now: datetime) -> bool:
        return abs(self.window - window_of(now)) <= SKEW_WINDOWS


def window_of(moment: datetime) -> int:
    return int(moment.timestamp()) // WINDOW_SECONDS


def window_ends_at(window: int) -> float:
    return float((window + 1) * WINDOW_SECONDS)


def _registration_secret(secret_key: str, registration_id: uuid.UUID) -> str:
    return sign(secret_key, f"entry-secret:{registration_id.hex}")


def _mac(secret_key: str, registration_id: uuid.UUID, window: int) -> str:
    return sign(_registration_secret(secret_key, registration_id), f"{registration_id.hex}.{window}")[:_MAC_LENGTH]


def entry_code(secret_key: str, registration_id: uuid.UUID, window: int) -> str:
    """The payload of `registration_id` for `window`."""
    return f"{PREFIX}.{registration_id.hex}.{window}.{_mac(secret_key, registration_id, window)}"


def is_entry_code(payload: str) -> bool:
    return payload.strip().startswith(f"{PREFIX}.")


def read_entry_code(secret_key: str, payload: str) -> EntryCode | None:
    """The registration and window a genuine payload names, whatever its age; None when forged or malformed."""
    parts = payload.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not payload.isascii():
        return None
    _, hex_id, window_text, sent_mac = parts
    if len(hex_id) != 32 or not window_text.isdigit() or len(window_text) > 12:
        return None
    try:
        registration_id = uuid.UUID(hex=hex_id)
    except ValueError:
        return None
    window = int(window_text)
    if not hmac.compare_digest(sent_mac.encode(), _mac(secret_key, registration_id, window).encode()):
        return None
    return EntryCode(registration_id, window)
