"""统一社会信用代码, mobile numbers and email addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from server.identifiers import normalise_email, uscc_check_character, validate_mobile, validate_uscc

SPELLINGS = ["{a}{b}{c}", "+86 {a}-{b}-{c}", "86{a}{b}{c}", "{a} {b} {c}", "+86{a}{b}{c}", "0086-{a}-{b}-{c}"]


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91350100m000100y43 "])
def test_published_codes_validate_and_are_upper_cased(code: str) -> None:
    assert validate_uscc(code) == code.strip().upper()


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "uscc_check"),  # wrong check character
        ("91350100M000100Y4", "uscc_format"),  # 17 characters
        ("91350100M000100Y433", "uscc_format"),  # 19 characters
        ("9135010OM000100Y43", "uscc_format"),  # letter O is not in the alphabet
        ("91ABCDEFM000100Y43", "uscc_format"),  # division code must be digits
        ("", "uscc_format"),
    ],
)
def test_wrong_codes_are_refused_with_the_reason(code: str, reason: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        validate_uscc(code)
    assert caught.value.type == reason


def test_check_character_can_be_a_letter_and_zero() -> None:
    assert uscc_check_character("91350100M000100Y4") == "3"
    assert uscc_check_character("91110000600037341") == "L"


@pytest.mark.parametrize(
    "number",
    ["13812345678", "+86 138-1234-5678", "8613812345678", "138 1234 5678", "0086 13812345678", "(+86)13812345678"],
)
def test_mainland_mobiles_are_normalised(number: str) -> None:
    assert validate_mobile(number) == "+8613812345678"


@given(digits=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), spelling=st.sampled_from(SPELLINGS))
def test_every_spelling_of_a_mobile_gives_one_form_and_it_is_stable(digits: str, spelling: str) -> None:
    spelt = spelling.format(a=digits[:3], b=digits[3:7], c=digits[7:])
    assert validate_mobile(spelt) == "+86" + digits
    assert validate_mobile(validate_mobile(spelt)) == "+86" + digits


@given(st.text(alphabet="0123456789+ -", max_size=20))
def test_anything_accepted_is_a_mainland_mobile(text: str) -> None:
    try:
        number = validate_mobile(text)
    except PydanticCustomError:
        return
    assert len(number) == 14 and number.startswith("+861") and number[4] in "3456789" and number[1:].isdigit()


@pytest.mark.parametrize(
    "number", ["12812345678", "1381234567", "053188888888", "+1 415 555 0100", "+852 6123 4567", "+86 0531 8888 8888"]
)
def test_other_numbers_are_refused(number: str) -> None:
    with pytest.raises(PydanticCustomError):
        validate_mobile(number)


def test_email_is_lower_cased_whole_and_checked() -> None:
    assert normalise_email(" Zhang.San@Example.CN ") == "zhang.san@example.cn"
    with pytest.raises(PydanticCustomError):
        normalise_email("zhang.san@")
