"""Registration numbers: every supported country's plates match that country's real format."""

from __future__ import annotations

import re

import numpy as np
import pytest

from synthcert.text.generators import SUPPORTED_COUNTRIES, generate_text
from synthcert.text.plates import PlateFormat, pattern_plate

# Written independently of synthcert.text.plates, from the countries' rules.
NL_LETTER = "[BDFGHJKLNPRSTVXZ]"
NL_SIDECODES = ["DD-LL-LL", "DD-LLL-D", "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD"]
PLATE_REGEX = {
    "CZ": r"[1-9][ABCEHJKLMPSTUZ][A-Z0-9] \d{4}",
    "SK": r"[A-Z]{2}[- ]?\d{3}[A-Z]{2}",
    "DE": r"[A-Z]{1,3}[- ][A-Z]{1,2} [1-9]\d{0,3}",
    "FR": r"[A-HJ-NP-TV-Z]{2}-\d{3}-[A-HJ-NP-TV-Z]{2}",
    "NL": "|".join("".join({"L": NL_LETTER, "D": r"\d"}.get(c, c) for c in s) for s in NL_SIDECODES),
    "PL": r"[A-Z]{2} [0-9A-Z]{5}|[A-Z]{3} [0-9A-Z]{4,5}",
    "IT": r"[A-HJ-NPR-TV-Z]{2} ?\d{3}[A-HJ-NPR-TV-Z]{2}",
    "ES": r"\d{4} [BCDFGHJKLMNPRSTVWXYZ]{3}",
    "GB": r"[A-Z][A-HJ-PR-Y](0[2-9]|1\d|2[0-5]|5[1-9]|6\d|7[0-5]) [A-HJ-PR-Z]{3}",
    "BE": r"[12]-[A-Z]{3}-\d{3}|[A-Z]{3}-\d{3}",
    "HU": r"[A-Z]{3}-\d{3}|[A-Z]{2} [A-Z]{2}-\d{3}",
    "CH": r"[A-Z]{2} [1-9]\d{2,5}",
    "IE": r"\d{2}[12]?-[A-Z]{1,2}-[1-9]\d{1,5}",
    "MY": r"[A-Z]{1,3} ?[1-9]\d{0,3}( [A-Z])?",
    "AT": r"[A-Z]{1,2}-[1-9]\d{0,4} [A-Z]{1,3}",
    "PT": r"(\d{2}|[A-Z]{2})-(\d{2}|[A-Z]{2})-(\d{2}|[A-Z]{2})",
    "RO": r"[A-Z]{1,2}-\d{2,3}-[A-Z]{3}",
    "SE": r"[A-Z]{3} \d{2}[A-Z0-9]",
    "FI": r"[A-Z]{3}-\d{3}",
    "NO": r"[A-Z]{2} \d{5}",
    "DK": r"[A-Z]{2} \d{2} \d{3}",
    "LT": r"[A-Z]{3} \d{3}",
    "EE": r"\d{3} [A-Z]{3}",
}


def test_every_supported_country_has_a_tested_format():
    assert set(SUPPORTED_COUNTRIES) == set(PLATE_REGEX)
    assert {"CZ", "SK", "DE", "FR", "NL", "PL", "IT", "ES", "GB", "AT", "BE", "HU", "MY"} <= set(PLATE_REGEX)


@pytest.mark.parametrize("country", sorted(PLATE_REGEX))
def test_plate_matches_country_format(country):
    rng = np.random.default_rng(2024)
    pattern = re.compile(PLATE_REGEX[country])
    for _ in range(300):
        plate = generate_text("plate", rng, country)
        assert pattern.fullmatch(plate), (country, plate)
        assert re.fullmatch(r"[A-Z0-9 -]+", plate), (country, plate)


def test_german_plate_has_at_most_eight_letters_and_digits():
    rng = np.random.default_rng(7)
    for _ in range(500):
        plate = generate_text("plate", rng, "DE")
        assert len(re.sub(r"[- ]", "", plate)) <= 8, plate


def test_spanish_plate_has_no_vowels():
    rng = np.random.default_rng(8)
    for _ in range(300):
        assert not set(generate_text("plate", rng, "ES")) & set("AEIOUQ")


def test_explicit_plate_country_overrides_template_country():
    rng = np.random.default_rng(3)
    for _ in range(50):
        assert re.fullmatch(PLATE_REGEX["DE"], generate_text("plate:DE", rng, "CZ"))
        assert re.fullmatch(PLATE_REGEX["CZ"], generate_text("plate:cz", rng, "DE"))


def test_lowercase_template_country_is_accepted():
    assert re.fullmatch(PLATE_REGEX["FR"], generate_text("plate", np.random.default_rng(1), "fr"))


def test_plate_for_country_without_format_raises_with_fix():
    with pytest.raises(ValueError, match=r"no plate format for country 'XX'.*plate:CC"):
        generate_text("plate", np.random.default_rng(0), "XX")


def test_plates_vary_and_repeat_with_the_seed():
    for country in SUPPORTED_COUNTRIES:
        a = [generate_text("plate", np.random.default_rng(11), country) for _ in range(2)]
        assert a[0] == a[1]
        rng = np.random.default_rng(12)
        assert len({generate_text("plate", rng, country) for _ in range(50)}) > 40, country


def test_pattern_plate_draws_only_from_the_given_rng():
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    assert [pattern_plate(a, "NL") for _ in range(20)] == [pattern_plate(b, "NL") for _ in range(20)]
    assert a.random() == b.random()


def test_plate_format_rejects_unknown_template_symbols():
    with pytest.raises(ValueError, match="unknown symbols"):
        PlateFormat((("LL_DD", 1.0),))

