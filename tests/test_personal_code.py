"""Latvian personal codes: old dated format with check digit, new 2017 format, hyphen optional."""

import pytest

from hub.kernel.personal_code import InvalidPersonalCode, parse_personal_code


@pytest.mark.parametrize("code", ["161175-19997", "030303-10012", "16117519997", "328673-00679"])
def test_valid_codes(code: str) -> None:
    parsed = parse_personal_code(code)
    assert len(parsed.value) == 11
    assert parsed.warning is None


def test_new_format_with_wrong_check_digit_is_a_warning_not_a_rejection() -> None:
    parsed = parse_personal_code("328673-00677")
    assert parsed.new_format
    assert parsed.warning == "check digit does not match"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("161375-19997", "not a real date"),
        ("310275-19999", "not a real date"),
        ("161175-19990", "check digit"),
        ("12345", "11 digits"),
        ("16117519997x", "11 digits"),
        ("421175-19997", "natural person"),
        ("161175-39997", "natural person"),
        ("", "11 digits"),
        ("010717-20000", "after 30 June 2017"),
        ("010120-20004", "after 30 June 2017"),
    ],
)
def test_invalid_codes(code: str, reason: str) -> None:
    with pytest.raises(InvalidPersonalCode, match=reason):
        parse_personal_code(code)


def test_the_last_day_of_dated_codes_is_30_june_2017() -> None:
    assert not parse_personal_code("300617-20000").new_format
