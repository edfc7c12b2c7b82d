"""Countries: the ISO 3166-1 alpha-2 codes a template may name, and the Faker locale each one's names use.

Any officially assigned code is accepted (plus XK, Kosovo's user-assigned code in common use). Names,
addresses and the language of the vehicle vocabulary come from the closest Faker locale: the country's own
(a Latin-script one first), else the locale of its official or common language, else ``FALLBACK_LOCALE``.
Locales whose script needs shaping (Arabic, Hebrew, Persian, the Indic scripts) are skipped: synthcert
typesets glyph by glyph, which would print them wrongly. No randomness here.
"""

from __future__ import annotations

from functools import cache

from faker.config import AVAILABLE_LOCALES

ISO_3166_ALPHA2: frozenset[str] = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
""".split())
"""Every country code accepted in `country:` (ISO 3166-1 alpha-2, 2024, and XK)."""

LOCALES: dict[str, str] = {
    "CZ": "cs_CZ", "SK": "sk_SK", "DE": "de_DE", "AT": "de_AT", "CH": "de_CH", "FR": "fr_FR",
    "BE": "nl_BE", "NL": "nl_NL", "PL": "pl_PL", "IT": "it_IT", "ES": "es_ES", "PT": "pt_PT",
    "GB": "en_GB", "IE": "en_IE", "HU": "hu_HU", "RO": "ro_RO", "SE": "sv_SE", "FI": "fi_FI",
    "NO": "no_NO", "DK": "da_DK", "LT": "lt_LT", "EE": "et_EE", "MY": "en_MS",
}
"""Chosen by hand where a country has several locales or Faker's code differs from the country's."""
FALLBACK_LOCALE = "en_GB"

# Languages whose script synthcert cannot typeset glyph by glyph (they need shaping).
_SHAPED = {"ar", "fa", "he", "hi", "bn", "gu", "mr", "or", "ta", "ne", "si", "am"}
# Countries without a Faker locale of their own -> the locale of their official or common language.
_LANGUAGE_OF = {
    **dict.fromkeys("BF BI BJ CD CF CG CI CM DJ GA GN HT KM MA MC MG ML MR NC NE PF RW SC SN TD TG TN".split(),
                    "fr_FR"),
    **dict.fromkeys("AO CV GW MZ ST TL".split(), "pt_PT"),
    **dict.fromkeys("BO CR CU DO EC GQ GT HN NI PA PE PR PY SV UY".split(), "es_MX"),
    **dict.fromkeys("AG BB BS BW BZ DM FJ GD GM GY JM LC LR LS MW NA SL SS SZ TT TZ UG VC ZM ZW".split(), "en_US"),
    "LI": "de_LI", "LU": "fr_FR", "AD": "es_ES", "SM": "it_IT", "VA": "it_IT",
}


@cache
def locale_for(country: str) -> str:
    """Returns the Faker locale for the names and addresses of `country` (see the module docstring)."""
    country = country.upper()
    if country in LOCALES:
        return LOCALES[country]
    own = [loc for loc in AVAILABLE_LOCALES if loc.endswith(f"_{country}") and loc.split("_")[0] not in _SHAPED]
    own.sort(key=lambda loc: (not loc.startswith("en_"), loc))
    return own[0] if own else _LANGUAGE_OF.get(country, FALLBACK_LOCALE)


def locale_note(country: str) -> str:
    """One line saying where `country`'s names and addresses come from, e.g. for `template init`'s report."""
    locale = locale_for(country)
    how = "its own locale" if locale.endswith(f"_{country.upper()}") else "the closest available locale"
    return f"country {country.upper()}: names and addresses from Faker's {locale} ({how})"


def check_country(country) -> str | None:
    """Returns None when `country` is an accepted ISO 3166 alpha-2 code, else the reason with the fix."""
    if isinstance(country, str) and country.upper() in ISO_3166_ALPHA2:
        return None
    return (f"= {country!r}; expected the document's country as an ISO 3166-1 alpha-2 code (two letters, "
            "e.g. MY, IN, CI, US)")


def language_of(country: str) -> str:
    """The language (ISO 639-1) of `country`'s vehicle vocabulary: its locale's, Malay for Malaysia."""
    return "ms" if country.upper() == "MY" else locale_for(country).split("_")[0]
