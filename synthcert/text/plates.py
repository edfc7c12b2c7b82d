"""Registration-number (licence-plate) formats per country.

Two kinds of country are supported:

* pattern countries (``PLATE_FORMATS``): the current format is written here as weighted templates over
  a small symbol table (district codes, the country's plate alphabet, digits), drawn by
  :func:`pattern_plate` from a ``numpy.random.Generator``;
* Faker countries (``FAKER_PLATE_LOCALES``): Faker's ``license_plate()`` of that locale already gives the
  real current format; :mod:`synthcert.text.generators` draws those from a seeded Faker instance.

Every plate is a string of uppercase ASCII letters, digits, spaces and hyphens. The module has no global
randomness: all draws come from the generator passed in.
"""

from __future__ import annotations

import string

import numpy as np

from synthcert.text.plate_format import PlateFormat, letters
from synthcert.text.plates_world import WORLD_FORMATS

PLATE_FORMATS: dict[str, PlateFormat] = {
    # Czechia: region serial digit, region letter, letter or digit, 4 digits: "1AB 2345", "8HF 5317".
    "CZ": PlateFormat(
        (("NRX DDDD", 1.0),),
        {"R": tuple("ABCEHJKLMPSTUZ"), "X": letters("GOQW") + tuple(string.digits)},
    ),
    # Slovakia: district code, 3 digits, 2 letters (the hyphen stands for the coat of arms).
    "SK": PlateFormat(
        (("R-DDDLL", 5.0), ("RDDDLL", 3.0), ("R DDDLL", 2.0)),
        {
            "R": tuple(
                "BA BB BJ BN BR BS BY CA DK DS DT GA GL HC HE IL KA KE KK KM KN KS LC LE LM LV MA MI ML "
                "MT NM NO NR NZ PB PD PE PK PN PO PP PT PU RA RK RS SA SB SC SE SI SK SL SN SO SP SV TN "
                "TO TR TS TT TV VK VT ZA ZC ZH ZM ZV".split()
            ),
            "L": letters("Q"),
        },
    ),
    # Germany: district (1-3 letters), 1-2 letters, 1-4 digits, at most 8 characters: "B-AB 1234".
    "DE": PlateFormat(
        (
            ("A-LL NDDD", 4.0), ("A-L NDD", 1.0), ("B-LL NDDD", 4.0), ("B-L NDDD", 2.0),
            ("C-LL NDD", 2.0), ("C-L NDDD", 1.0), ("A LL NDDD", 1.0), ("B LL NDD", 1.0),
        ),
        {
            "A": tuple("ABCDEFGHKLMNPRSVWZ"),
            "B": tuple(
                "HH HB DO DD KA MA BN MS AC KI MZ WI SB OS BI GE BO LB ES RV FR HD PF DU OB KR MG NE SU GT "
                "PB HA HN UL RE OF DA GI KS HI BS MD HL SN ER AB RO TS PA LA".split()
            ),
            "C": tuple(
                "HRO WOB BGL FFB STA GAP LIP MYK NWM SHA HOM EBE DAH BOR COE KLE MKK OHZ PAF WAF HSK SLF "
                "VIE WES NEA LDS MSE MOL PIR ERZ".split()
            ),
        },
    ),
    # France (SIV, since 2009): "AB-123-CD", no I, O or U.
    "FR": PlateFormat((("LL-DDD-LL", 1.0),), {"L": letters("IOU")}),
    # Netherlands: sidecodes 6-13 over the consonant alphabet: "12-ABC-3", "AB-123-C".
    "NL": PlateFormat(
        (
            ("DD-LL-LL", 1.0), ("DD-LLL-D", 2.0), ("D-LLL-DD", 2.0), ("LL-DDD-L", 2.0),
            ("L-DDD-LL", 2.0), ("LLL-DD-L", 1.0), ("L-DD-LLL", 1.0), ("D-LL-DDD", 1.0),
        ),
        {"L": tuple("BDFGHJKLNPRSTVXZ")},
    ),
    # Poland: 2-letter district + 5 characters ("WA 12345", "KR 1AB23") or 3-letter district + 4-5.
    "PL": PlateFormat(
        (
            ("R DDDDD", 3.0), ("R DDDDL", 2.0), ("R DDDLL", 2.0), ("R DLDDD", 1.0), ("R DLLDD", 2.0),
            ("T LDDD", 1.0), ("T DDLL", 1.0), ("T DLDD", 0.5), ("T DDDDL", 1.0), ("T DDDLL", 1.0),
        ),
        {
            "R": tuple(
                "WA WB WE WH WI WJ WK WN WT WU WW WX WY KR KN KT PO PZ GD GA LU EL ZS BI CB CT SK SG RZ TK "
                "OP NO FZ DW DB".split()
            ),
            "T": tuple("KRA WPI PPO DWR LLU GKA WOT KNS SBE GDA".split()),
            "L": letters("BDIOZ"),
        },
    ),
    # Italy (since 1994): "AB 123CD" / "AB123CD", no I, O, Q or U.
    "IT": PlateFormat((("LL DDDLL", 1.0), ("LLDDDLL", 1.0)), {"L": letters("IOQU")}),
    # Spain (since 2000): "1234 BCD", consonants only, no Ñ or Q.
    "ES": PlateFormat((("DDDD LLL", 1.0),), {"L": tuple("BCDFGHJKLMNPRSTVWXYZ")}),
    # Great Britain (since 2001): area letters, age identifier, 3 random letters: "AB12 CDE".
    "GB": PlateFormat(
        (("ABY LLL", 1.0),),
        {
            "A": tuple("ABCDEFGHKLMNOPRSTVWY"),
            "B": letters("IQZ"),
            "Y": tuple(f"{y:02d}" for y in range(2, 26)) + tuple(str(50 + y) for y in range(1, 26)),
            "L": letters("IQ"),
        },
    ),
    # Belgium (since 2010): "1-ABC-123"; the older "ABC-123" is still around.
    "BE": PlateFormat((("B-LLL-DDD", 9.0), ("LLL-DDD", 1.0)), {"B": ("1", "2")}),
    # Hungary: "ABC-123" and, since 2022, "AA BC-123".
    "HU": PlateFormat((("LLL-DDD", 3.0), ("LL LL-DDD", 1.0)), {"L": letters("Q")}),
    # Switzerland: canton code and up to 6 digits: "ZH 123456".
    "CH": PlateFormat(
        (("R NDDDDD", 4.0), ("R NDDDD", 3.0), ("R NDDD", 2.0), ("R NDD", 1.0)),
        {
            "R": tuple(
                "ZH BE LU UR SZ OW NW GL ZG FR SO BS BL SH AR AI SG GR AG TG TI VD VS NE GE JU".split()
            )
        },
    ),
    # Ireland (since 1987): year (+ half since 2013), county code, serial: "12-D-12345", "191-D-1234".
    "IE": PlateFormat(
        (("Y-C-NDDD", 3.0), ("Y-C-NDDDD", 3.0), ("Y-C-NDDDDD", 1.0), ("Y-C-NDD", 1.0)),
        {
            "Y": tuple(f"{y:02d}" for y in range(5, 13))
            + tuple(f"{y}{h}" for y in range(13, 26) for h in "12"),
            "C": tuple(
                "C CE CN CW D DL G KE KK KY L LD LH LK LM LS MH MN MO OY RN SO T W WH WX WW".split()
            ),
        },
    ),
    # Malaysia: state prefix, 0-2 series letters, 1-4 digits, optional suffix: "WXY 1234", "V 1234 A".
    # Ownership certificates print the number without spaces ("JSD3798"), so both forms are drawn.
    "MY": PlateFormat(
        (
            ("PSS NDDD", 3.0), ("PS NDDD", 2.0), ("P NDDD", 0.5), ("PSS NDD", 0.5), ("PS ND", 0.5),
            ("P NDDD S", 0.5), ("QS NDDD", 0.5), ("Q NDDD S", 0.5),
            ("PSSNDDD", 3.0), ("PSNDDD", 2.0), ("PNDDD", 0.5), ("QSNDDD", 0.5),
        ),
        {
            "P": tuple("WVBPJAKMNCDTRF"),  # one-letter state prefixes
            "Q": tuple("QA QK QS SA SB SD KV".split()),  # Sarawak and Sabah divisions, Langkawi
            "S": letters("IOZ"),
        },
    ),
}
PLATE_FORMATS.update(WORLD_FORMATS)
"""Countries whose plates are drawn from the templates written here and in plates_world."""

FAKER_PLATE_LOCALES: dict[str, str] = {
    "AT": "de_AT",  # "W-12345 X"-like: district, digits, letters
    "PT": "pt_PT",  # "AA-00-AA" and its predecessors
    "RO": "ro_RO",  # "B-123-ABC", "CJ-12-ABC"
    "SE": "sv_SE",  # "ABC 123", "ABC 12A"
    "FI": "fi_FI",  # "ABC-123"
    "NO": "no_NO",  # "AB 12345"
    "DK": "da_DK",  # "AB 12 345"
    "LT": "lt_LT",  # "ABC 123"
    "EE": "et_EE",  # "123 ABC"
}
"""Countries whose plates come from Faker's ``license_plate()`` of the given locale."""

PLATE_COUNTRIES: tuple[str, ...] = tuple(sorted({*PLATE_FORMATS, *FAKER_PLATE_LOCALES}))
"""Every country with a plate format (ISO 3166 alpha-2)."""


def pattern_plate(rng: np.random.Generator, country: str) -> str:
    """Draw a registration number of a pattern country.

    Args:
        rng: the only source of randomness.
        country: a key of ``PLATE_FORMATS``.

    Returns:
        The plate, e.g. ``"1AB 2345"`` for ``CZ``.

    Raises:
        KeyError: ``country`` has no written pattern.
    """
    return PLATE_FORMATS[country].draw(rng)
