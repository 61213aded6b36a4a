"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): 30-second steps, 6 digits, HMAC-SHA1, the
parameters every authenticator app uses. Standard library only."""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side of now: a phone clock 30 s off still works


def new_secret() -> str:
    """160 random bits (RFC 4226's recommended length), base32 as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 section 5.3: HMAC of the big-endian counter, dynamically truncated to `digits` decimal digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, moment: datetime, *, after: int | None) -> int | None:
    """The step within ±WINDOW of `moment` whose code is `code`, if it is later than `after` (the last step used:
    a code is good once); else None."""
    key = base64.b32decode(secret)
    now = step_at(moment)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code (Google Authenticator's key URI format)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
