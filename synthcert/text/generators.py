"""Field-value text generators: the ``generator`` strings of a template spec (see docs/templates.md).

:func:`generate_text` turns a generator string such as ``plate``, ``vin``, ``date:%d.%m.%Y`` or
``choice:M1|N1`` into one value; :func:`check_generator` validates a generator string up front.

There is no global randomness here: every value is a pure function of (generator, rng state, country).
Faker is used through one cached instance per locale and thread, re-seeded on every call from the given
``numpy.random.Generator``, so the same seed gives the same text in any process.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import string
import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from itertools import accumulate

import numpy as np
from faker import Faker
from faker.generator import Generator as _FakerGenerator

from synthcert.text.plates import FAKER_PLATE_LOCALES, PLATE_COUNTRIES, pattern_plate

SUPPORTED_COUNTRIES: tuple[str, ...] = PLATE_COUNTRIES
"""Countries (ISO 3166 alpha-2) with a plate format and a Faker locale."""

LOCALES: dict[str, str] = {
    "CZ": "cs_CZ", "SK": "sk_SK", "DE": "de_DE", "AT": "de_AT", "CH": "de_CH", "FR": "fr_FR",
    "BE": "nl_BE", "NL": "nl_NL", "PL": "pl_PL", "IT": "it_IT", "ES": "es_ES", "PT": "pt_PT",
    "GB": "en_GB", "IE": "en_IE", "HU": "hu_HU", "RO": "ro_RO", "SE": "sv_SE", "FI": "fi_FI",
    "NO": "no_NO", "DK": "da_DK", "LT": "lt_LT", "EE": "et_EE", "MY": "en_MS",
}
"""Country -> Faker locale for names and addresses; other countries use ``FALLBACK_LOCALE``."""
FALLBACK_LOCALE = "en_GB"

Draw = Callable[[np.random.Generator, str], str]
"""A compiled generator: (rng, country) -> text."""

# --- helpers -------------------------------------------------------------------------------------------

_local = threading.local()


def _faker(rng: np.random.Generator, country: str, locale: str | None = None) -> _FakerGenerator:
    """The cached Faker generator of the country's locale (per thread), seeded from ``rng``."""
    locale = locale or LOCALES.get(country, FALLBACK_LOCALE)
    fakers = _local.__dict__.setdefault("fakers", {})
    fake = fakers.get(locale)
    if fake is None:
        fake = fakers[locale] = Faker(locale).factories[0]
    fake.seed_instance(int(rng.integers(2**63)))
    return fake


class _Weighted:
    """A weighted choice among fixed items, drawn with one ``rng.random()``."""

    def __init__(self, items: Sequence[str], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = tuple(accumulate(weights))

    def __call__(self, rng: np.random.Generator) -> str:
        k = bisect_right(self.cum, rng.random() * self.cum[-1])
        return self.items[min(k, len(self.items) - 1)]


def _oneline(text: str) -> str:
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


def _language(country: str) -> str:
    return "ms" if country == "MY" else LOCALES.get(country, FALLBACK_LOCALE).split("_")[0]


# --- VIN (ISO 3779, North-American check digit) --------------------------------------------------------

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
_VIN_VALUES = {**{d: int(d) for d in string.digits}, **dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ",
                                                              (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9,
                                                               2, 3, 4, 5, 6, 7, 8, 9), strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # position 10, the 30-year model-year cycle
_WMIS = tuple("TMB WVW WV2 VF1 VF3 VF7 WF0 W0L JTD SB1 WBA WDD WAU ZFA TMA KNA U5Y UU1 VSS YV1 SJN PL1 PM2 "
              "TRU VNK ZAR SAL WP0 JMZ JHM".split())


def vin_check_digit(vin: str) -> str:
    """The check digit (``0``-``9`` or ``X``) of a 17-character VIN; position 9 is ignored."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def _vin(rng: np.random.Generator, country: str) -> str:
    u = rng.random(14).tolist()
    n = len(_VIN_CHARS)
    vin = (_WMIS[int(u[0] * len(_WMIS))] + "".join(_VIN_CHARS[int(x * n)] for x in u[1:6]) + "0"
           + _VIN_YEARS[int(u[6] * len(_VIN_YEARS))] + _VIN_CHARS[int(u[7] * n)]
           + "".join(str(int(x * 10)) for x in u[8:14]))
    return vin[:8] + vin_check_digit(vin) + vin[9:]


# --- plates, people, places, dates ---------------------------------------------------------------------


def _plate_of(code: str) -> Draw:
    def draw(rng: np.random.Generator, country: str) -> str:
        if code in FAKER_PLATE_LOCALES:
            return _faker(rng, code, FAKER_PLATE_LOCALES[code]).license_plate().upper()
        return pattern_plate(rng, code)

    return draw


_PLATES = {code: _plate_of(code) for code in SUPPORTED_COUNTRIES}


def _plate(rng: np.random.Generator, country: str) -> str:
    draw = _PLATES.get(country)
    if draw is None:
        raise ValueError(f"no plate format for country {country!r}; expected one of "
                         f"{', '.join(SUPPORTED_COUNTRIES)}, or name one with plate:CC")
    return draw(rng, country)


def _name_parts(rng: np.random.Generator, country: str) -> tuple[str, str]:
    fake = _faker(rng, country)
    if fake.random.random() < 0.5:
        return fake.first_name_male(), fake.last_name_male()
    return fake.first_name_female(), fake.last_name_female()


def _name(rng: np.random.Generator, country: str) -> str:
    first, last = _name_parts(rng, country)
    return f"{last} {first}" if country == "HU" else f"{first} {last}"


def _address(rng: np.random.Generator, country: str) -> str:
    fake = _faker(rng, country)
    street, postcode, city = _oneline(fake.street_address()), fake.postcode(), fake.city()
    if LOCALES.get(country, FALLBACK_LOCALE).startswith("en_"):
        return f"{street}, {city} {postcode}"
    return f"{street}, {postcode} {city}"


def _faker_field(method: str) -> Draw:
    def draw(rng: np.random.Generator, country: str) -> str:
        return _oneline(getattr(_faker(rng, country), method)())

    return draw


_FIRST_DAY = dt.date(1990, 1, 1).toordinal()
_DAYS = dt.date(2026, 12, 31).toordinal() - _FIRST_DAY + 1


def _date_with(fmt: str) -> Draw:
    if not fmt:
        raise ValueError("empty date format in 'date:'; give a strftime format, e.g. date:%d.%m.%Y")
    try:
        dt.date(2001, 2, 3).strftime(fmt)
    except ValueError as exc:
        raise ValueError(f"bad strftime format {fmt!r} in 'date:{fmt}' ({exc}); e.g. date:%d.%m.%Y") from None

    def draw(rng: np.random.Generator, country: str) -> str:
        return dt.date.fromordinal(_FIRST_DAY + int(rng.random() * _DAYS)).strftime(fmt)

    return draw


# --- vehicle data ----------------------------------------------------------------------------------------

_MODELS: dict[str, tuple[str, ...]] = {
    "Škoda": ("Octavia", "Fabia", "Superb", "Kodiaq", "Karoq", "Kamiq", "Scala", "Enyaq"),
    "Volkswagen": ("Golf", "Passat", "Polo", "Tiguan", "T-Roc", "Touran", "Transporter", "ID.3"),
    "Renault": ("Clio", "Mégane", "Captur", "Kangoo", "Scénic", "Twingo"),
    "Peugeot": ("208", "308", "2008", "3008", "Partner"),
    "Citroën": ("C3", "C4", "Berlingo", "C5 Aircross"),
    "Ford": ("Focus", "Fiesta", "Mondeo", "Kuga", "Transit"),
    "Opel": ("Astra", "Corsa", "Insignia", "Zafira", "Mokka"),
    "Toyota": ("Corolla", "Yaris", "RAV4", "Auris", "Aygo"),
    "BMW": ("320d", "520d", "X3", "X5", "118i"),
    "Mercedes-Benz": ("C 200", "E 220 d", "A 180", "Sprinter", "Vito"),
    "Audi": ("A3", "A4", "A6", "Q3", "Q5"),
    "Fiat": ("Panda", "500", "Punto", "Tipo", "Ducato"),
    "Hyundai": ("i30", "i20", "Tucson", "Kona"),
    "Kia": ("Ceed", "Sportage", "Rio", "Niro"),
    "Dacia": ("Duster", "Sandero", "Logan", "Jogger"),
    "SEAT": ("Leon", "Ibiza", "Ateca", "Arona"),
    "Volvo": ("V60", "XC60", "XC90", "V70"),
    "Nissan": ("Qashqai", "Juke", "Micra", "X-Trail"),
    "Honda": ("Civic", "CR-V", "Jazz"),
    "Mazda": ("3", "6", "CX-5"),
    "Suzuki": ("Swift", "Vitara"),
    "Tesla": ("Model 3", "Model Y"),
    "Proton": ("Saga", "Persona", "X70"),
    "Perodua": ("Myvi", "Axia", "Bezza"),
}
_LOCAL_MAKES: dict[str, dict[str, float]] = {
    "CZ": {"Škoda": 8}, "SK": {"Škoda": 5, "Kia": 3}, "DE": {"Volkswagen": 5, "Mercedes-Benz": 3, "BMW": 3},
    "FR": {"Renault": 5, "Peugeot": 5, "Citroën": 4}, "IT": {"Fiat": 6}, "ES": {"SEAT": 5},
    "SE": {"Volvo": 5}, "MY": {"Proton": 10, "Perodua": 12, "Honda": 3, "Toyota": 3},
}


@cache
def _makes(country: str) -> _Weighted:
    local = _LOCAL_MAKES.get(country, {})
    weights = [local.get(m, 0.1 if m in ("Proton", "Perodua") else 1.0) for m in _MODELS]
    return _Weighted(tuple(_MODELS), weights)


def _make(rng: np.random.Generator, country: str) -> str:
    return _makes(country)(rng)


def _model(rng: np.random.Generator, country: str) -> str:
    models = _MODELS[_make(rng, country)]
    return models[int(rng.random() * len(models))]


def _make_model(rng: np.random.Generator, country: str) -> str:
    make = _make(rng, country)
    return f"{make} {_MODELS[make][int(rng.random() * len(_MODELS[make]))]}"


_VEHICLE_TYPE = _Weighted(("M1", "N1", "L3e", "N2", "N3", "M2", "M3", "O1", "O2", "L1e", "L6e", "M1G"),
                          (70, 10, 6, 2, 2, 1, 1, 2, 2, 2, 1, 1))
_COLOURS = {  # white, black, silver, grey, blue, red, green, yellow, brown, beige, orange
    "en": "White Black Silver Grey Blue Red Green Yellow Brown Beige Orange",
    "cs": "Bílá Černá Stříbrná Šedá Modrá Červená Zelená Žlutá Hnědá Béžová Oranžová",
    "sk": "Biela Čierna Strieborná Sivá Modrá Červená Zelená Žltá Hnedá Béžová Oranžová",
    "de": "Weiß Schwarz Silber Grau Blau Rot Grün Gelb Braun Beige Orange",
    "fr": "Blanc Noir Argent Gris Bleu Rouge Vert Jaune Marron Beige Orange",
    "nl": "Wit Zwart Zilver Grijs Blauw Rood Groen Geel Bruin Beige Oranje",
    "pl": "Biały Czarny Srebrny Szary Niebieski Czerwony Zielony Żółty Brązowy Beżowy Pomarańczowy",
    "it": "Bianco Nero Argento Grigio Blu Rosso Verde Giallo Marrone Beige Arancione",
    "es": "Blanco Negro Plata Gris Azul Rojo Verde Amarillo Marrón Beige Naranja",
    "pt": "Branco Preto Prata Cinzento Azul Vermelho Verde Amarelo Castanho Bege Laranja",
    "hu": "Fehér Fekete Ezüst Szürke Kék Piros Zöld Sárga Barna Bézs Narancs",
    "ms": "Putih Hitam Perak Kelabu Biru Merah Hijau Kuning Coklat Krim Jingga",
}
_COLOUR_WEIGHTS = (5, 5, 4, 4, 3, 2, 1, 1, 1, 1, 1)
_COLOUR = {lang: _Weighted(words.split(), _COLOUR_WEIGHTS) for lang, words in _COLOURS.items()}
_FUELS = {  # petrol, diesel, electric, hybrid, LPG, CNG
    "en": ("Petrol", "Diesel", "Electric", "Hybrid", "LPG", "CNG"),
    "cs": ("Benzin", "Nafta", "Elektro", "Benzin/Elektro", "Benzin/LPG", "CNG"),
    "sk": ("Benzín", "Nafta", "Elektrina", "Hybrid", "LPG", "CNG"),
    "de": ("Benzin", "Diesel", "Elektro", "Hybrid", "Autogas", "Erdgas"),
    "fr": ("Essence", "Gazole", "Électrique", "Hybride", "GPL", "GNV"),
    "nl": ("Benzine", "Diesel", "Elektriciteit", "Hybride", "LPG", "CNG"),
    "pl": ("Benzyna", "Olej napędowy", "Energia elektryczna", "Hybryda", "LPG", "CNG"),
    "it": ("Benzina", "Gasolio", "Elettrica", "Ibrida", "GPL", "Metano"),
    "es": ("Gasolina", "Diésel", "Eléctrico", "Híbrido", "GLP", "GNC"),
    "pt": ("Gasolina", "Gasóleo", "Elétrico", "Híbrido", "GPL", "GNC"),
    "hu": ("Benzin", "Gázolaj", "Elektromos", "Hibrid", "LPG", "CNG"),
    "ms": ("Petrol", "Diesel", "Elektrik", "Hibrid", "LPG", "NGV"),
}
_FUEL = {lang: _Weighted(words, (6, 5, 1, 1, 0.5, 0.3)) for lang, words in _FUELS.items()}


def _colour(rng: np.random.Generator, country: str) -> str:
    return _COLOUR.get(_language(country), _COLOUR["en"])(rng)


def _fuel(rng: np.random.Generator, country: str) -> str:
    return _FUEL.get(_language(country), _FUEL["en"])(rng)


# --- generators with an argument ---------------------------------------------------------------------------


def _plate_arg(arg: str) -> Draw:
    code = arg.strip().upper()
    if code not in _PLATES:
        close = difflib.get_close_matches(code, SUPPORTED_COUNTRIES, n=1)
        hint = f"; did you mean 'plate:{close[0]}'?" if close else ""
        raise ValueError(f"unknown country {arg!r} in 'plate:{arg}'; expected one of "
                         f"{', '.join(SUPPORTED_COUNTRIES)}{hint}")
    return _PLATES[code]


def _number_arg(arg: str) -> Draw:
    m = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", arg)
    lo, hi = (int(m[1]), int(m[2])) if m else (1, 0)
    if not m or lo > hi or max(abs(lo), abs(hi)) >= 2**62:
        raise ValueError(f"bad range {arg!r} in 'number:{arg}'; write number:LO-HI with integers LO <= HI, "
                         "e.g. number:1-99")
    return lambda rng, country: str(int(rng.integers(lo, hi + 1)))


_PATTERN_SYMBOLS = {"?": string.ascii_uppercase, "#": string.digits}


def _pattern_arg(arg: str) -> Draw:
    """Faker ``bothify`` semantics: ``?`` an uppercase letter, ``#`` a digit, anything else literal."""
    if not arg:
        raise ValueError("empty pattern in 'pattern:'; write e.g. pattern:??-#### (? letter, # digit)")
    parts = tuple(_PATTERN_SYMBOLS.get(c, c) for c in arg)
    n = sum(c in _PATTERN_SYMBOLS for c in arg)

    def draw(rng: np.random.Generator, country: str) -> str:
        u = iter(rng.random(n).tolist())
        return "".join(p if len(p) == 1 else p[int(next(u) * len(p))] for p in parts)

    return draw


def _choice_arg(arg: str) -> Draw:
    options = tuple(o.strip() for o in arg.split("|"))
    if not all(options):
        raise ValueError(f"empty option in 'choice:{arg}'; write choice:A|B|C with non-empty options")
    return lambda rng, country: options[int(rng.random() * len(options))]


_PLAIN: dict[str, Draw] = {
    "plate": _plate,
    "vin": _vin,
    "name": _name,
    "first_name": _faker_field("first_name"),
    "last_name": _faker_field("last_name"),
    "address": _address,
    "street": _faker_field("street_address"),
    "city": _faker_field("city"),
    "postcode": _faker_field("postcode"),
    "date": _date_with("%d.%m.%Y"),
    "make": _make,
    "model": _model,
    "make_model": _make_model,
    "vehicle_type": lambda rng, country: _VEHICLE_TYPE(rng),
    "colour": _colour,
    "fuel": _fuel,
}
_WITH_ARG: dict[str, Callable[[str], Draw]] = {
    "plate": _plate_arg,
    "date": _date_with,
    "number": _number_arg,
    "pattern": _pattern_arg,
    "choice": _choice_arg,
}
_EXAMPLES = {"number": "number:1-99", "pattern": "pattern:??-####", "choice": "choice:M1|N1|L3e"}
_USAGE = ("plate, plate:CC, vin, name, first_name, last_name, address, street, city, postcode, date, "
          "date:FORMAT, make, model, make_model, vehicle_type, colour, fuel, number:LO-HI, pattern:PATTERN, "
          "choice:A|B|...")
GENERATOR_NAMES: tuple[str, ...] = tuple(dict.fromkeys([*_PLAIN, *_WITH_ARG]))
"""Every generator name (the part before ``:``)."""


def _compile(generator: str) -> Draw:
    """Parse a generator string into a draw function; raises ``ValueError`` with a fix."""
    if not isinstance(generator, str):
        kind = type(generator).__name__
        raise ValueError(f"generator must be a string, not {kind}; expected one of {_USAGE}")
    return _compile_str(generator)


@lru_cache(maxsize=4096)
def _compile_str(generator: str) -> Draw:
    kind, colon, arg = generator.partition(":")
    if kind not in GENERATOR_NAMES:
        close = difflib.get_close_matches(kind.strip().lower(), GENERATOR_NAMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown generator {generator!r}; expected one of {_USAGE}{hint}")
    if not colon:
        if kind not in _PLAIN:
            raise ValueError(f"generator {kind!r} needs an argument; write e.g. {_EXAMPLES[kind]!r}")
        return _PLAIN[kind]
    if kind not in _WITH_ARG:
        raise ValueError(f"generator {kind!r} takes no argument; write {kind!r} instead of {generator!r}")
    return _WITH_ARG[kind](arg)


def check_generator(generator: str, country: str | None = None) -> str | None:
    """Validate a generator string.

    Args:
        generator: e.g. ``"plate"``, ``"date:%d.%m.%Y"``, ``"choice:M1|N1"``.
        country: the template's country, when known; then ``plate`` is also checked to have a format there.

    Returns:
        ``None`` when valid, else a one-line reason with the fix.
    """
    try:
        draw = _compile(generator)
    except ValueError as exc:
        return str(exc)
    if draw is _plate and country is not None and str(country).upper() not in _PLATES:
        return (f"no plate format for country {country!r}; expected one of {', '.join(SUPPORTED_COUNTRIES)}, "
                "or name one with plate:CC")
    return None


def generate_text(generator: str, rng: np.random.Generator, country: str) -> str:
    """Generate one field value.

    The result is a pure function of ``generator``, the state of ``rng`` and ``country``; ``rng`` is
    advanced, no other randomness is used.

    Args:
        generator: a generator string (see docs/templates.md), e.g. ``"plate"`` or ``"number:1-9"``.
        rng: the only source of randomness.
        country: ISO 3166 alpha-2 code of the template; picks the plate format and the Faker locale
            (unknown countries use ``FALLBACK_LOCALE`` for names and addresses).

    Returns:
        The text, one line.

    Raises:
        ValueError: a bad generator string, or ``plate`` for a country without a plate format.
    """
    return _compile(generator)(rng, country.upper())
