"""The optional second factor of admins and organisers: a TOTP app (server/totp.py) and ten single-use recovery
codes. Enrolment is two steps (the secret is kept unconfirmed until a first code proves the app has it); from
then on a login needs a code after the password. A code is good once: the step of the last one used is stored and
only a later step is accepted (the update is guarded by it, so two racing logins with one code succeed once).
Recovery codes are shown once and stored as SHA-256 hashes (they are random, 50 bits: no slow hash needed)."""

from __future__ import annotations

import hashlib
import secrets

import segno
from tortoise.transactions import in_transaction

from server import audit, totp
from server.auth import verify_password
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, PermissionDenied
from server.models import Membership, Role, User

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
ISSUER = "泉城 Quancheng"
# Who may turn it on: those whose account can change what others see or receive.
ROLES = (Role.MANAGER, Role.ORGANISER)


class Enrolment:
    def __init__(self, secret: str, uri: str) -> None:
        self.secret = secret
        self.uri = uri
        self.qr_svg = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


async def may_enrol(user: User) -> bool:
    return user.is_admin or await Membership.filter(user_id=user.id, role__in=ROLES).exists()


async def enrol(user: User) -> Enrolment:
    """A new secret for the account, not yet required at login; a second enrolment replaces an unconfirmed one."""
    if not await may_enrol(user):
        raise PermissionDenied("error.totp_not_for_you")
    if user.totp_confirmed_at is not None:
        raise Conflict("error.totp_already_on")
    user.totp_secret = totp.new_secret()
    await user.save(update_fields=["totp_secret"])
    return Enrolment(user.totp_secret, totp.provisioning_uri(user.totp_secret, user.email, ISSUER))


async def confirm(user: User, code: str) -> list[str]:
    """Turn the second factor on with a first code from the app; answers the recovery codes, shown only now."""
    if user.totp_secret is None or user.totp_confirmed_at is not None:
        raise Conflict("error.totp_not_enrolling")
    step = totp.matching_step(user.totp_secret, code, utcnow(), after=None)
    if step is None:
        raise InvalidInput(errors=[(("body", "code"), "validation.totp_code_wrong")])
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    async with in_transaction():
        user.totp_confirmed_at = utcnow()
        user.totp_last_step = step
        user.totp_recovery_hashes = [_hash(code) for code in codes]
        await user.save(update_fields=["totp_confirmed_at", "totp_last_step", "totp_recovery_hashes"])
        await audit.record(user, "user.totp_on", user)
    return codes


async def disable(user: User, password: str, code: str) -> None:
    """Turn it off: with the password and a code (or a recovery code), so a left-open session alone cannot."""
    if user.totp_confirmed_at is None:
        raise Conflict("error.totp_not_on")
    if not await verify_password(user, password):
        raise InvalidInput(errors=[(("body", "password"), "validation.password_wrong")])
    if not await second_factor_passes(user, code):
        raise InvalidInput(errors=[(("body", "code"), "validation.totp_code_wrong")])
    async with in_transaction():
        await User.filter(id=user.id).update(
            totp_secret=None, totp_confirmed_at=None, totp_last_step=None, totp_recovery_hashes=[]
        )
        await audit.record(user, "user.totp_off", user)


async def second_factor_passes(user: User, code: str) -> bool:
    """Whether `code` is a current TOTP code not used before, or an unused recovery code; either is spent."""
    assert user.totp_secret is not None
    code = code.strip()
    if len(code) == totp.DIGITS and code.isdigit():
        step = totp.matching_step(user.totp_secret, code, utcnow(), after=user.totp_last_step)
        if step is None:
            return False
        spent = User.filter(id=user.id, totp_last_step__lt=step)  # a racing login with the same code finds no row
        return await spent.update(totp_last_step=step) == 1
    async with in_transaction():
        locked = await User.select_for_update().get(id=user.id)
        digest = _hash(code)
        if digest not in locked.totp_recovery_hashes:
            return False
        locked.totp_recovery_hashes = [kept for kept in locked.totp_recovery_hashes if kept != digest]
        await locked.save(update_fields=["totp_recovery_hashes"])
        await audit.record(user, "user.totp_recovery_used", user, after={"left": len(locked.totp_recovery_hashes)})
    return True


def _recovery_code() -> str:
    """Ten base32 characters in two groups (`k3vq7-m2xpa`): 50 random bits, easy to copy from paper."""
    text = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{text[:5]}-{text[5:]}"


def _hash(code: str) -> str:
    """The recovery code's hash, whatever its case, dash or spaces as typed."""
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()
