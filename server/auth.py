"""Passwords, secret tokens, sessions and CSRF: who is calling, proven how."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.requests import Request

from server.clock import utcnow
from server.errors import AuthenticationRequired, PermissionDenied
from server.models import AuthToken, TokenKind, User

SESSION_COOKIE = "qc_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# argon2id with argon2-cffi's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes, 4 lanes), pinned so
# that a library upgrade does not change them silently. Read at each call, so the tests can put in a cheap one.
password_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the email is unknown, so both answers take the same time."""
    return hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(password_hasher.hash, password)


async def verify_password(user: User | None, password: str) -> bool:
    """True if `password` is the user's; spends the same argon2 time when there is no such user."""
    hasher = password_hasher
    stored = user.password_hash if user else _dummy_hash(hasher)
    try:
        return await asyncio.to_thread(hasher.verify, stored, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> tuple[str, str]:
    """A fresh 256-bit secret with a readable prefix, and the hash that is all the database keeps."""
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    return secret, hash_secret(secret)


async def issue_token(
    user: User, kind: TokenKind, *, name: str = "", lifetime: timedelta | None
) -> tuple[str, AuthToken]:
    secret, digest = new_secret("qcs" if kind is TokenKind.SESSION else "qct")
    expires_at = utcnow() + lifetime if lifetime else None
    token = await AuthToken.create(user=user, kind=kind, name=name, token_hash=digest, expires_at=expires_at)
    return secret, token


def sign(secret_key: str, message: str) -> str:
    """HMAC-SHA256 of `message` under the secret key, in hex: every derived credential is made with it."""
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LinkClaim:
    """What a mailed link's token says of itself: whose or which row, and until when. Unproven until checked."""

    subject_id: int
    expires: datetime


def link_token(secret_key: str, prefix: str, purpose: str, subject_id: int, expires: datetime, bound: str = "") -> str:
    """A mailed link's credential `<prefix>_<id>_<expiry>_<signature>`: nothing of it is stored. `bound` is a value
    the signature also covers, so that the link dies when it changes (a password reset dies with the password)."""
    stamp = int(expires.timestamp())
    return f"{prefix}_{subject_id}_{stamp}_{sign(secret_key, f'{purpose}:{subject_id}:{stamp}{bound}')[:40]}"


def link_claim(token: str, prefix: str) -> LinkClaim | None:
    """The id and expiry a token names, if it is shaped like one of ours (not yet whether it is genuine)."""
    parts = token.split("_")
    if len(parts) != 4 or parts[0] != prefix or not token.isascii():
        return None
    subject, stamp = parts[1], parts[2]
    if not (subject.isdigit() and stamp.isdigit()) or len(subject) > 10 or len(stamp) > 11:
        return None
    try:
        return LinkClaim(subject_id=int(subject), expires=datetime.fromtimestamp(int(stamp), tz=UTC))
    except (OverflowError, OSError, ValueError):  # beyond year 9999: no link we made
        return None


def link_is_genuine(secret_key: str, token: str, prefix: str, purpose: str, claim: LinkClaim, bound: str = "") -> bool:
    expected = link_token(secret_key, prefix, purpose, claim.subject_id, claim.expires, bound)
    return hmac.compare_digest(token.encode(), expected.encode())


def csrf_token(secret_key: str, token_hash: str) -> str:
    """The CSRF value bound to one session: derived, so nothing more is stored."""
    return sign(secret_key, f"csrf:{token_hash}")


@dataclass(frozen=True)
class Caller:
    user: User
    token: AuthToken
    via_cookie: bool


async def authenticate(request: Request, secret_key: str) -> Caller | None:
    """The caller proven by a bearer token or the session cookie; None for an anonymous request.

    A presented but unknown, revoked or expired credential is refused rather than treated as anonymous.
    Cookie-authenticated unsafe requests must carry the session's CSRF header.
    """
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    via_cookie = False
    if header and scheme.lower() == "bearer" and value.strip().startswith(("qcs_", "qct_")):
        secret = value.strip()
    elif header and scheme.lower() == "bearer":
        return None  # another kind of bearer secret (a manage token): the endpoint decides
    elif cookie := request.cookies.get(SESSION_COOKIE):
        secret, via_cookie = cookie, True
    else:
        return None
    digest = hash_secret(secret)
    token = await AuthToken.get_or_none(token_hash=digest).select_related("user")
    now = utcnow()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        if via_cookie:  # a stale cookie must not lock the browser out of signing in again: drop it
            request.state.stale_session = True
            return None
        raise AuthenticationRequired("error.token_invalid")
    if via_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf_token(secret_key, digest).encode()):
            raise PermissionDenied("error.csrf_failed")
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        await AuthToken.filter(id=token.id).update(last_used_at=now)
    return Caller(user=token.user, token=token, via_cookie=via_cookie)
