"""Proving who one is: sign-up, email verification, password reset, login and its limits, and ending sessions.

No answer tells whether an address has an account. Sign-up answers the same for a new and a taken address
(the owner of a taken one is mailed "you already have an account"), and spends the same argon2 time; a reset
request answers the same for any address. Mailed links are signed and expire (`server.auth.link_token`):
a verification link is bound to the address and works until the address is verified; a reset link is bound to
the password hash, so it dies the moment any reset (or change) succeeds.

Login limits never let a stranger lock the owner out from the owner's own address: failures count per
(address, client address), and a slower count per address only stops a spread-out guessing campaign.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from notifications.outbox import Mail, enqueue
from server import audit, ratelimit, two_factor
from server.auth import hash_password, issue_token, link_claim, link_is_genuine, link_token, verify_password
from server.clock import utcnow
from server.errors import AuthenticationRequired, BadRequest, InvalidInput
from server.models import AuthToken, TokenKind, User
from server.passwords import weakness
from server.schemas import PasswordResetIn, SignupIn
from server.settings import Locale, Settings

LOGIN_LIMIT_PER_EMAIL_AND_IP = 10
LOGIN_LIMIT_PER_EMAIL = 100  # failures an hour, from all addresses together: a campaign, not one owner's typos
MAIL_LIMIT_PER_EMAIL = 5  # verification and reset mails to one address an hour
LIMIT_WINDOW = timedelta(minutes=15)
SLOW_WINDOW = timedelta(hours=1)
VERIFY_LIFETIME = timedelta(days=2)
RESET_LIFETIME = timedelta(hours=1)
_VERIFY = ("qcv", "verify-email")
_RESET = ("qcr", "reset-password")

VerifiedHook = Callable[[User], Awaitable[None]]
_when_verified: list[VerifiedHook] = []


class LinkInvalid(BadRequest):
    key = "error.account_link_invalid"


def when_verified(hook: VerifiedHook) -> None:
    """Run `hook(user)` in the transaction that verifies an address (events links earlier registrations)."""
    _when_verified.append(hook)


def _password_checked(password: str, email: str) -> None:
    if key := weakness(password, email):
        raise InvalidInput(errors=[(("body", "password"), key)])


async def signup(data: SignupIn, settings: Settings, *, client_ip: str) -> None:
    """Create an unverified account and mail its verification link, or mail the owner of a taken address.

    Both paths check the password, hash it and enqueue one mail, so neither the answer nor its time differs."""
    await ratelimit.hit(f"signup:ip:{client_ip}", limit=settings.SIGNUP_LIMIT_PER_CLIENT, window=LIMIT_WINDOW)
    _password_checked(data.password, data.email)
    password_hash = await hash_password(data.password)
    try:
        async with in_transaction():
            existing = await User.get_or_none(email=data.email)
            if existing is not None:
                await _mail_existing(existing, settings)
                return
            user = await User.create(email=data.email, name=data.name, locale=data.locale, password_hash=password_hash)
            await audit.record(user, "user.signup", user, after={"email": user.email})
            await _mail_verification(user, settings)
    except IntegrityError:  # the same address signed up at the same moment: that one stands
        return


async def create_account(email: str, password: str, name: str, *, locale: Locale = "zh-CN") -> User:
    """An account whose address is taken as proven (the demo's, made by the operator)."""
    async with in_transaction():
        user = await User.create(
            email=email,
            name=name,
            locale=locale,
            password_hash=await hash_password(password),
            email_verified_at=utcnow(),
        )
        await audit.record("cli", "user.signup", user, after={"email": email})
    return user


async def _mail(user: User, template: str, occasion: str, **links: str) -> None:
    """One account mail to the account's own address, in its language; `occasion` makes the dedupe key."""
    locale: Locale = "en" if user.locale == "en" else "zh-CN"
    await enqueue(
        Mail(
            template=template,
            to=user.email,
            to_name=user.name,
            locale=locale,
            context={"recipient_name": user.name, **links},
            dedupe_key=f"{template}:{user.id}:{occasion}",
            topic=f"user:{user.id}",
        )
    )


async def _mail_verification(user: User, settings: Settings) -> None:
    expires = utcnow() + VERIFY_LIFETIME
    token = link_token(settings.secret_key(), *_VERIFY, user.id, expires, bound=user.email)
    await _mail(user, "account_verify", expires.isoformat(), verify_url=f"{settings.BASE_URL}/verify?token={token}")


async def _mail_existing(user: User, settings: Settings) -> None:
    """The owner learns someone (perhaps they) tried to sign up again; at most one such mail an hour."""
    hour = str(int(utcnow().timestamp()) // 3600)
    await _mail(
        user, "account_exists", hour, login_url=f"{settings.BASE_URL}/login", reset_url=f"{settings.BASE_URL}/reset"
    )


async def resend_verification(user: User, settings: Settings) -> None:
    if user.email_verified_at is not None:
        return
    await ratelimit.hit(f"mail:email:{user.email}", limit=MAIL_LIMIT_PER_EMAIL, window=SLOW_WINDOW)
    async with in_transaction():
        await _mail_verification(user, settings)


async def verify_email(token: str, settings: Settings) -> User:
    """Mark the address proven, once; earlier registrations made with it are then linked to the account."""
    claim = link_claim(token, _VERIFY[0])
    if claim is None or utcnow() >= claim.expires:
        raise LinkInvalid()
    async with in_transaction():
        user = await User.select_for_update().get_or_none(id=claim.subject_id)
        genuine = user is not None and link_is_genuine(settings.secret_key(), token, *_VERIFY, claim, user.email)
        if user is None or not genuine or user.email_verified_at is not None:
            raise LinkInvalid()
        user.email_verified_at = utcnow()
        await user.save(update_fields=["email_verified_at"])
        await audit.record(user, "user.verify_email", user, after={"email": user.email})
        for hook in _when_verified:
            await hook(user)
    return user


async def request_password_reset(email: str, settings: Settings, *, client_ip: str) -> None:
    """Mail a reset link if the address has an active account; the answer is the same either way."""
    await ratelimit.hit(f"reset:ip:{client_ip}", limit=settings.SIGNUP_LIMIT_PER_CLIENT, window=LIMIT_WINDOW)
    await ratelimit.hit(f"mail:email:{email}", limit=MAIL_LIMIT_PER_EMAIL, window=SLOW_WINDOW)
    async with in_transaction():
        user = await User.get_or_none(email=email, is_active=True)
        if user is None:
            return
        expires = utcnow() + RESET_LIFETIME
        token = link_token(settings.secret_key(), *_RESET, user.id, expires, bound=user.password_hash)
        await _mail(user, "password_reset", expires.isoformat(), reset_url=f"{settings.BASE_URL}/reset?token={token}")


async def reset_password(data: PasswordResetIn, settings: Settings) -> None:
    """Set a new password from a reset link: once, before it expires; every session and API token ends, and the
    address counts as verified (the link reached its mailbox)."""
    claim = link_claim(data.token, _RESET[0])
    if claim is None or utcnow() >= claim.expires:
        raise LinkInvalid()
    user = await User.get_or_none(id=claim.subject_id, is_active=True)
    if user is None or not link_is_genuine(settings.secret_key(), data.token, *_RESET, claim, user.password_hash):
        raise LinkInvalid()
    _password_checked(data.password, user.email)
    password_hash = await hash_password(data.password)
    async with in_transaction():
        # Guarded by the old hash: of two resets racing with one link, one changes it and the other finds no row.
        changed = await User.filter(id=user.id, password_hash=user.password_hash).update(
            password_hash=password_hash, email_verified_at=user.email_verified_at or utcnow()
        )
        if not changed:
            raise LinkInvalid()
        ended = await _end_all_tokens(user)
        await audit.record(user, "user.reset_password", user, after={"tokens_revoked": ended})
    await ratelimit.reset(f"login:email:{user.email}")


async def login(
    email: str, password: str, settings: Settings, *, client_ip: str, lifetime: timedelta, code: str | None = None
) -> tuple[str, AuthToken]:
    """Open a session; every attempt counts before the password is tried, per client address, per (address,
    client address) and, more slowly, per address. A success clears its (address, client address) count and
    gives back its count per address, so only failures add up there: an owner's script that logs in often is
    never locked out by its own successes. An account with a second factor needs `code` (a TOTP or recovery
    code) too: without it the answer asks for it, a wrong one is a failed attempt; both keep their count."""
    await ratelimit.hit(f"login:ip:{client_ip}", limit=settings.LOGIN_LIMIT_PER_CLIENT, window=LIMIT_WINDOW)
    await ratelimit.hit(f"login:email-ip:{email}:{client_ip}", limit=LOGIN_LIMIT_PER_EMAIL_AND_IP, window=LIMIT_WINDOW)
    await ratelimit.hit(f"login:email:{email}", limit=LOGIN_LIMIT_PER_EMAIL, window=SLOW_WINDOW)
    user = await User.get_or_none(email=email)
    if not await verify_password(user, password) or user is None or not user.is_active:
        raise AuthenticationRequired("error.login_failed")
    if user.totp_confirmed_at is not None:
        if not code:
            raise AuthenticationRequired("error.totp_required")
        if not await two_factor.second_factor_passes(user, code):
            raise AuthenticationRequired("error.totp_failed")
    await ratelimit.reset(f"login:email-ip:{email}:{client_ip}")
    await ratelimit.refund(f"login:email:{email}", window=SLOW_WINDOW)
    return await issue_token(user, TokenKind.SESSION, lifetime=lifetime)


async def _end_all_tokens(user: User) -> int:
    return await AuthToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=utcnow())


async def log_out_everywhere(user: User) -> int:
    """End every session and revoke every API token of the account; returns how many ended."""
    async with in_transaction():
        ended = await _end_all_tokens(user)
        await audit.record(user, "user.logout_everywhere", user, after={"tokens_revoked": ended})
    return ended
