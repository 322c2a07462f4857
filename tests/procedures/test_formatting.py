"""Answers in French: the shortcuts for French phone numbers and SIRETs write exactly what phonenumbers and
stdnum write."""

import random

import phonenumbers
import pytest
from stdnum import luhn
from stdnum.fr import siret

from guichet.procedures.formatting import phone_french, siret_french


@pytest.mark.parametrize("first", "123456789")
def test_a_french_number_reads_as_phonenumbers_formats_it(first):
    generator = random.Random(first)  # noqa: S311 (sample numbers)
    for _ in range(200):
        e164 = "+33" + first + "".join(generator.choice("0123456789") for _ in range(8))
        expected = phonenumbers.format_number(phonenumbers.parse(e164, "FR"), phonenumbers.PhoneNumberFormat.NATIONAL)
        assert phone_french(e164) == expected


def test_foreign_and_unreadable_numbers_are_kept_readable():
    assert phone_french("+442079460958") == "+44 20 7946 0958"
    assert phone_french("+33800123456") == "0 800 12 34 56"
    assert phone_french("pas un numéro") == "pas un numéro"


def test_a_siret_reads_as_stdnum_formats_it_and_an_invalid_one_as_typed():
    generator = random.Random(14)  # noqa: S311 (sample numbers)
    for _ in range(500):
        siren = "".join(generator.choice("0123456789") for _ in range(8))
        siren += luhn.calc_check_digit(siren)
        body = siren + "".join(generator.choice("0123456789") for _ in range(4))
        valid = body + luhn.calc_check_digit(body)
        wrong = body + str((int(luhn.calc_check_digit(body)) + 1) % 10)
        for number in (valid, wrong, valid[:13], "356000000" + valid[9:]):
            assert siret_french(number) == (siret.format(number) if siret.is_valid(number) else number)
    assert siret_french("11004601800013") == "110 046 018 00013"
