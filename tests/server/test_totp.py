"""TOTP against RFC 6238 appendix B's test vectors (8 digits; SHA-1, SHA-256 and SHA-512 seeds) and its window."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from server import totp

SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [  # (Unix time, SHA-1, SHA-256, SHA-512)
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("unix", "sha1", "sha256", "sha512"), VECTORS)
def test_the_rfc_6238_vectors(unix: int, sha1: str, sha256: str, sha512: str) -> None:
    step = totp.step_at(datetime.fromtimestamp(unix, UTC))
    for digest, code in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert totp.hotp(SEEDS[digest], step, digits=8, digest=digest) == code


def test_a_code_is_good_one_step_either_side_and_only_once() -> None:
    secret = base64.b32encode(SEEDS["sha1"]).decode()
    moment = datetime.fromtimestamp(1234567890, UTC)
    step = totp.step_at(moment)
    key = SEEDS["sha1"]
    assert totp.matching_step(secret, totp.hotp(key, step), moment, after=None) == step
    assert totp.matching_step(secret, totp.hotp(key, step - 1), moment, after=None) == step - 1
    assert totp.matching_step(secret, totp.hotp(key, step + 1), moment, after=None) == step + 1
    assert totp.matching_step(secret, totp.hotp(key, step - 2), moment, after=None) is None  # a minute old
    assert totp.matching_step(secret, totp.hotp(key, step), moment, after=step) is None  # used already
    assert totp.matching_step(secret, totp.hotp(key, step - 1), moment, after=step) is None  # older than the last
    later = moment + timedelta(seconds=30)
    assert totp.matching_step(secret, totp.hotp(key, step + 1), later, after=step) == step + 1


def test_the_provisioning_uri_names_the_issuer_and_the_account() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "admin@bureau.gov.cn", "泉城")
    assert uri.startswith("otpauth://totp/%E6%B3%89%E5%9F%8E%3Aadmin%40bureau.gov.cn?secret=JBSWY3DPEHPK3PXP&issuer=")
    assert uri.endswith("&algorithm=SHA1&digits=6&period=30")
    assert len(base64.b32decode(totp.new_secret())) == 20
