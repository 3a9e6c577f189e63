"""Tests for `pipeline.scrub.checksums`: the elfproef and the IBAN check."""

from __future__ import annotations

import pytest

from pipeline.scrub.checksums import elfproef, iban_valid


@pytest.mark.parametrize("number", ["123456782", "123.456.782", "123 456 782", "111222333", "12345672"])
def test_elfproef_accepts_valid_numbers(number):
    assert elfproef(number)


@pytest.mark.parametrize("number", ["123456789", "123456781", "000000000", "1234567", "1234567890", "12345678a",
                                    "987654321"])
def test_elfproef_rejects_invalid_numbers(number):
    assert not elfproef(number)


@pytest.mark.parametrize("iban", ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300",
                                  "GB82WEST12345698765432", "DE89370400440532013000", "BE68539007547034",
                                  "FR1420041010050500013M02606"])
def test_iban_accepts_valid(iban):
    assert iban_valid(iban)


@pytest.mark.parametrize("iban", ["NL92ABNA0417164300", "NL91ABNA041716430", "NL91ABNA04171643001",
                                  "XX91ABNA0417164300", "GB82WEST12345698765433", "NL91-ABNA-0417-1643-00"])
def test_iban_rejects_invalid(iban):
    assert not iban_valid(iban)
