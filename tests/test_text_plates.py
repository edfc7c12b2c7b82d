"""Registration numbers: every supported country's plates match that country's real format."""

from __future__ import annotations

import re

import numpy as np
import pytest

from synthcert.text.generators import generate_text
from synthcert.text.plates import PLATE_COUNTRIES, PlateFormat, pattern_plate

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
    # Outside Europe (the sources are named in synthcert/text/plates_world.py).
    "IN": r"[A-Z]{2} ?-?\d{2} ?-?[A-Z]{1,2} ?-?[1-9]\d{3}|DL ?[1-9][CSEPRTVY] ?[A-Z]{2} ?[1-9]\d{3}"
          r"|2[1-5] BH [1-9]\d{3} [A-Z]{2}",
    "ID": r"[A-Z]{1,2} [1-9]\d{0,3} [A-Z]{1,3}",
    "CI": r"[1-9]\d{3} [A-Z]{2} (0[1-9]|[12]\d|30)",
    "NG": r"[A-Z]{3}[ -]?\d{3}[ -]?[A-Z]{2}",
    "KE": r"K[A-HJ-NPR-Z]{2} \d{3} ?[A-HJ-NPR-Z]",
    "ZA": r"[A-Z]{2} \d{2} [A-Z]{2} GP|(CA|CY|CF|CJ|CL|CAW|ND|NU|NP|NX) \d{3}-?\d{3}|(CA|CY|CF|CJ|CL|CAW) \d{5}"
          r"|[A-Z]{3} \d{3} (MP|NW|FS|EC|NC|L)",
    "MA": r"[1-9]\d{3,4}-[ABDHEW]-[1-8]?\d",
    "EG": r"[٠-٩]{3,4}( [\u0621-\u064a]){2,3}",
    "TR": r"(0[1-9]|[1-7]\d|8[01]) [A-Z]{1,3} [1-9]\d{1,4}",
    "BR": r"[A-Z]{3}\d[A-Z]\d{2}|[A-Z]{3}[- ]\d{4}",
    "MX": r"[A-Z]{3}-\d{3}-[A-Z]|[A-Z]{3}-\d{2}-\d{2}|[A-Z]{3}-\d{4}|[A-Z]{2}-\d{4}-[A-Z]",
    "AR": r"[A-Z]{2} ?\d{3} ?[A-Z]{2}|[A-Z]{3} ?\d{3}",
    "US": r"[A-Z]{3}[ -]?\d{3,4}|[1-9][A-Z]{3}\d{3}|\d{3} [A-Z]{3}",
    "CA": r"[A-Z]{4} \d{3}|[A-Z]{3}-\d{4}|[A-Z]\d{2} [A-Z]{3}|[A-Z]{2}\d \d{2}[A-Z]|[A-Z]{3} \d{3}",
    "JP": r"\S{2,3} \d{2,3} [\u3041-\u3093] \d{2}-\d{2}",
    "KR": r"\d{2,3}[\uac00-\ud7a3] \d{4}",
    "VN": r"[1-9]\d[A-Z]{1,2}-\d{3}\.\d{2}|[1-9]\d[A-Z]-\d{4}",
    "TH": r"[1-9]?[\u0e01-\u0e2e]{2} [1-9]\d{1,3}",
    "PH": r"[A-Z]{3} ?\d{3,4}",
    "PK": r"[A-Z]{2,3}[- ]\d{3,4}|[A-Z]{3}-\d{2}-\d{4}",
    "SG": r"S[A-HJ-NP-Z]{1,2} [1-9]\d{2,3} [A-HJ-NP-Z]",
    "AU": r"[A-Z]{2} \d{2} [A-Z]{2}|\d[A-Z]{2} \d[A-Z]{2}|\d{3} [A-Z]{3}|[A-Z]{3}-\d{3}",
    "NZ": r"[A-Z]{2,3}\d{3,4}",
    "CL": r"[B-DF-HJ-LPR-TV-Z]{2}·[B-DF-HJ-LPR-TV-Z]{2}·\d{2}|[A-Z]{2}·\d{2}·\d{2}|[B-DF-HJ-LPR-TV-Z]{4}-\d{2}",
    "CO": r"[A-Z]{3}[ -]\d{3}",
    "PE": r"[A-Z][A-Z0-9][A-Z]-\d{3}",
    "GH": r"(GR|GT|GE|GW|GN|AS|AW|BA|BT|CR|ER|NR|UW|UE|VR|WR) [1-9]\d{3}-(1\d|2[0-5])",
    "AE": r"[A-Z]{1,2} [1-9]\d{3,4}",
    "SA": r"[1-9]\d{2,3} [ABDEGHJKLNRSTUVXZ]{3}",
}
NON_LATIN = {"EG", "JP", "KR", "TH"}  # printed in their own script (a template needs a font for it)


def test_every_plate_country_has_a_tested_format_on_every_continent():
    assert set(PLATE_COUNTRIES) == set(PLATE_REGEX)
    assert {"IN", "ID", "CI", "NG", "KE", "ZA", "MA", "EG", "TR", "BR", "MX", "AR", "US", "CA", "JP", "KR", "VN",
            "TH", "PH", "PK"} <= set(PLATE_REGEX)
    assert {"CZ", "SK", "DE", "FR", "NL", "PL", "IT", "ES", "GB", "AT", "BE", "HU", "MY"} <= set(PLATE_REGEX)


@pytest.mark.parametrize("country", sorted(PLATE_REGEX))
def test_plate_matches_country_format(country):
    rng = np.random.default_rng(2024)
    pattern = re.compile(PLATE_REGEX[country])
    for _ in range(300):
        plate = generate_text("plate", rng, country)
        assert pattern.fullmatch(plate), (country, plate)
        if country not in NON_LATIN:
            assert re.fullmatch(r"[A-Z0-9 .·-]+", plate), (country, plate)


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
    for country in PLATE_COUNTRIES:
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

