"""Which new passwords are refused: common ones, ones made of the account's own email, and too-simple patterns.

The common list is `data/common-passwords.txt.gz`: the 19,640 passwords that Django ships for its
CommonPasswordValidator (BSD licence, from Royce Williams' list of passwords seen in breaches), read once.
A password also counts as common when it is a listed one with digits or symbols added at the end
(`password12`, `qwerty2024!`), the commonest way people stretch a short password to the required length.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

COMMON_LIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"
_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def weakness(password: str, email: str) -> str | None:
    """The catalogue key of why `password` is refused for the account `email`, or None if it may be used."""
    folded = password.lower()
    local = email.lower().partition("@")[0]
    if folded == email.lower() or (len(local) >= 4 and local in folded):
        return "validation.password_like_email"
    stem = re.sub(r"[\d\W_]+$", "", folded)
    if folded in common_passwords() or (len(stem) >= 4 and stem in common_passwords()):
        return "validation.password_common"
    if len(set(folded)) < 4 or _is_run(folded) or re.fullmatch(r"(.+?)\1+", folded):  # `abcabcabc`, `12341234`
        return "validation.password_too_simple"
    return None


def _is_run(folded: str) -> bool:
    """A keyboard or alphabet run, forwards or backwards (`1234567890`, `0987654321`, `qwertyuiop`)."""
    return any(folded in sequence * 3 for run in _RUNS for sequence in (run, run[::-1]))
