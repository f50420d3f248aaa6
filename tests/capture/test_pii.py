"""The personal-data guard."""

from __future__ import annotations

from datetime import date

import pytest

from bot.capture.pii import find_personal_data, is_valid_nhs_number

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("number", "valid"),
    [("9434765919", True), ("9434765918", False), ("4010232137", True), ("1234567890", False), ("943476591", False)],
)
def test_nhs_check_digit(number: str, valid: bool) -> None:
    assert is_valid_nhs_number(number) is valid


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Chase 943 476 5919 results", ["an NHS number"]),
        ("Chase 943-476-5919 results", ["an NHS number"]),
        ("Quote ref 943 476 5918", []),  # fails the check digit: not an NHS number (nor a UK phone number)
        ("Child born 3/4/2019", ["a date of birth"]),
        ("Confirm DOB with GP", ["a date of birth"]),
        ("Referral received 12 March 2024", ["a date of birth"]),
        ("Visit at 14 Acacia Ave, M1 1AE", ["a postcode"]),
        ("Visit sw1a2aa today", ["a postcode"]),
        ("Ring 07700 900123", ["a phone number"]),
        ("Ring +44 7700 900123", ["a phone number"]),
        ("Ring 0113 496 0000", ["a phone number"]),
        ("Share the CAD log with social care", []),
        ("Book in 2 weeks at 5pm", []),
        ("Review case CR-1042 on 4/12/2026", []),
    ],
)
def test_finds_personal_data(text: str, kinds: list[str]) -> None:
    assert find_personal_data(text, TODAY) == kinds
