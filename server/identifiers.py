"""Identifiers people type, validated properly: email addresses, mainland mobile numbers and
统一社会信用代码 (unified social credit codes, GB 32100-2015)."""

from __future__ import annotations

import re
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# The 31 characters of GB 32100-2015 (no I, O, S, V, Z) and the weights 3^i mod 31 of the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"[1-9A-HJ-NPQRTUWXY][1-9A-HJ-NPQRTUWXY][0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Upper-cased code if it has the right shape and check character; PydanticCustomError otherwise."""
    code = value.strip().upper()
    if not _USCC_SHAPE.fullmatch(code):
        raise PydanticCustomError("uscc_format", "must be 18 characters of the GB 32100 alphabet")
    if uscc_check_character(code[:17]) != code[17]:
        raise PydanticCustomError("uscc_check", "check character does not match")
    return code


def validate_mobile(value: str) -> str:
    """A mainland mobile number in its one stored form, `+86` and 11 digits (what SMS gateways take), from any
    common spelling: with or without +86 / 0086 / 86, spaces, hyphens and brackets."""
    number = re.sub(r"[\s()\-]", "", value)
    for prefix in ("+86", "0086"):
        number = number.removeprefix(prefix)
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    if not _MOBILE.fullmatch(number):
        raise PydanticCustomError("mobile_format", "not a mainland mobile number")
    return "+86" + number


def normalise_email(value: str) -> str:
    """The address lower-cased whole, so that one mailbox is one account in any spelling of its case."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise PydanticCustomError("email_format", "not a valid email address") from None


Email = Annotated[str, AfterValidator(normalise_email)]
USCC = Annotated[str, AfterValidator(validate_uscc)]
Mobile = Annotated[str, AfterValidator(validate_mobile)]
