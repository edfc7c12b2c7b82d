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
import operator
import re
import string
import threading
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from faker import Faker
from faker.generator import Generator as _FakerGenerator

from synthcert.text import vehicles
from synthcert.text.countries import locale_for
from synthcert.text.plates import FAKER_PLATE_LOCALES, PLATE_COUNTRIES, pattern_plate

Draw = Callable[[np.random.Generator, str], str]
"""A compiled generator: (rng, country) -> text."""

# --- helpers -------------------------------------------------------------------------------------------

_local = threading.local()


def _faker(rng: np.random.Generator, country: str, locale: str | None = None) -> _FakerGenerator:
    """The cached Faker generator of the country's locale (per thread), seeded from ``rng``."""
    locale = locale or locale_for(country)
    fakers = _local.__dict__.setdefault("fakers", {})
    fake = fakers.get(locale)
    if fake is None:
        fake = fakers[locale] = Faker(locale).factories[0]
    # The same seed as int(rng.integers(2**63)), the top 63 bits of one 64-bit draw, without its few us of overhead.
    fake.seed_instance(int(rng.bit_generator.random_raw()) >> 1)
    return fake


def _oneline(text: str) -> str:
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


# --- VIN (ISO 3779, North-American check digit) --------------------------------------------------------

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
_VIN_VALUES = {**{d: int(d) for d in string.digits}, **dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ",
                                                              (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9,
                                                               2, 3, 4, 5, 6, 7, 8, 9), strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_DIGITS = string.digits
_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # position 10, the 30-year model-year cycle
_WMIS = tuple("TMB WVW WV2 VF1 VF3 VF7 WF0 W0L JTD SB1 WBA WDD WAU ZFA TMA KNA U5Y UU1 VSS YV1 SJN PL1 PM2 "
              "TRU VNK ZAR SAL WP0 JMZ JHM".split())


def vin_check_digit(vin: str) -> str:
    """The check digit (``0``-``9`` or ``X``) of a 17-character VIN; position 9 is ignored."""
    if len(vin) != len(_VIN_WEIGHTS):
        raise ValueError(f"a VIN has {len(_VIN_WEIGHTS)} characters, not {len(vin)}: {vin!r}")
    total = sum(map(operator.mul, map(_VIN_VALUES.__getitem__, vin), _VIN_WEIGHTS))  # C-level loops: 3 -> 1 us
    return "X" if total % 11 == 10 else str(total % 11)


def _vin(rng: np.random.Generator, country: str) -> str:
    u = rng.random(14).tolist()
    n = len(_VIN_CHARS)
    vin = (_WMIS[int(u[0] * len(_WMIS))] + "".join([_VIN_CHARS[int(x * n)] for x in u[1:6]]) + "0"
           + _VIN_YEARS[int(u[6] * len(_VIN_YEARS))] + _VIN_CHARS[int(u[7] * n)]
           + "".join([_DIGITS[int(x * 10)] for x in u[8:14]]))
    return vin[:8] + vin_check_digit(vin) + vin[9:]


# --- plates, people, places, dates ---------------------------------------------------------------------


def _plate_of(code: str) -> Draw:
    def draw(rng: np.random.Generator, country: str) -> str:
        if code in FAKER_PLATE_LOCALES:
            return _faker(rng, code, FAKER_PLATE_LOCALES[code]).license_plate().upper()
        return pattern_plate(rng, code)

    return draw


_PLATES = {code: _plate_of(code) for code in PLATE_COUNTRIES}


def _no_plate_format(country: str) -> str:
    return (f"no plate format for country {country!r} (there are formats for {', '.join(PLATE_COUNTRIES)}); "
            "use plate:CC of a country whose numbers look alike, or pattern:... (e.g. pattern:??-#### )")


def _plate(rng: np.random.Generator, country: str) -> str:
    draw = _PLATES.get(country)
    if draw is None:
        raise ValueError(_no_plate_format(country))
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
    if locale_for(country).startswith("en_"):
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
        return _date_text(fmt, int(rng.random() * _DAYS))

    return draw


@lru_cache(maxsize=32768)
def _date_text(fmt: str, day: int) -> str:
    """Day `day` after the first one, formatted: 13,514 days per format, each formatted once (strftime is 3 us)."""
    return dt.date.fromordinal(_FIRST_DAY + day).strftime(fmt)


# --- generators with an argument ---------------------------------------------------------------------------


def _plate_arg(arg: str) -> Draw:
    code = arg.strip().upper()
    if code not in _PLATES:
        close = difflib.get_close_matches(code, PLATE_COUNTRIES, n=1)
        hint = f"; did you mean 'plate:{close[0]}'?" if close else ""
        raise ValueError(f"unknown country {arg!r} in 'plate:{arg}'; expected one of "
                         f"{', '.join(PLATE_COUNTRIES)}{hint}")
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
    """Faker ``bothify`` semantics: ``?`` an uppercase letter, ``#`` a digit, anything else literal; ``A|B``
    draws one of the alternatives, ``[...]`` an optional part (printed half of the time)."""
    if not arg:
        raise ValueError("empty pattern in 'pattern:'; write e.g. pattern:??-#### (? letter, # digit)")
    alternatives = tuple(_pattern_tokens(alt, arg) for alt in arg.split("|"))
    if len(alternatives) == 1 and all(isinstance(t, str) for t in alternatives[0]):
        return _pattern_draw(alternatives[0])
    draws = tuple(_pattern_draw(tokens) for tokens in alternatives)

    def draw(rng: np.random.Generator, country: str) -> str:
        return draws[int(rng.random() * len(draws))](rng, country)

    draw.may_be_empty = any(getattr(d, "may_be_empty", False) for d in draws)
    return draw


def _pattern_tokens(text: str, arg: str) -> list:
    """Symbol tables and literals, with each `[...]` part as a nested list."""
    tokens, optional = [], None
    for c in text:
        if c == "[":
            if optional is not None:
                raise ValueError(f"nested '[' in 'pattern:{arg}'; optional parts cannot nest")
            optional = []
        elif c == "]":
            if optional is None:
                raise ValueError(f"unmatched ']' in 'pattern:{arg}'; write e.g. pattern:??[?] ####")
            tokens.append(optional)
            optional = None
        else:
            (tokens if optional is None else optional).append(_PATTERN_SYMBOLS.get(c, c))
    if optional is not None:
        raise ValueError(f"unclosed '[' in 'pattern:{arg}'; write e.g. pattern:??[?] ####")
    if not tokens:
        raise ValueError(f"empty alternative in 'pattern:{arg}'; remove the extra '|'")
    return tokens


def _pattern_draw(tokens: list) -> Draw:
    if all(isinstance(t, str) for t in tokens):
        n = sum(len(t) > 1 for t in tokens)

        def plain(rng: np.random.Generator, country: str) -> str:
            u = iter(rng.random(n).tolist())
            return "".join(p if len(p) == 1 else p[int(next(u) * len(p))] for p in tokens)

        return plain
    parts = tuple(_pattern_draw(t) if isinstance(t, list) else _pattern_draw([t]) for t in tokens)
    optional = tuple(isinstance(t, list) for t in tokens)

    def draw(rng: np.random.Generator, country: str) -> str:
        return "".join(part(rng, country) for part, opt in zip(parts, optional, strict=True)
                       if not opt or rng.random() < 0.5)

    draw.may_be_empty = all(optional)
    return draw


def _choice_arg(arg: str) -> Draw:
    options = tuple(o.strip() for o in arg.split("|"))
    if not any(options):
        raise ValueError(f"no option in 'choice:{arg}'; write choice:A|B|C (an empty option, as in A||B, "
                         "prints nothing)")

    def draw(rng: np.random.Generator, country: str) -> str:
        return options[int(rng.random() * len(options))]

    draw.may_be_empty = "" in options
    return draw


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
    "make": vehicles.make,
    "model": vehicles.model,
    "make_model": vehicles.make_model,
    "vehicle_type": vehicles.vehicle_type,
    "colour": vehicles.colour,
    "fuel": vehicles.fuel,
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


def check_generator(generator: str, country: str | None = None, target: bool = False) -> str | None:
    """Validate a generator string.

    Args:
        generator: e.g. ``"plate"``, ``"date:%d.%m.%Y"``, ``"choice:M1|N1"``.
        country: the template's country, when known; then ``plate`` is also checked to have a format there.
        target: the field is the detector's target, which must print something in every sample.

    Returns:
        ``None`` when valid, else a one-line reason with the fix.
    """
    try:
        draw = _compile(generator)
    except ValueError as exc:
        return str(exc)
    if draw is _plate and country is not None and str(country).upper() not in _PLATES:
        return _no_plate_format(str(country).upper())
    if target and getattr(draw, "may_be_empty", False):
        return f"{generator!r} can print nothing, but the target field must always print; drop the empty option"
    return None


_FEW_VALUES = frozenset({"make", "model", "make_model", "vehicle_type", "colour", "fuel", "choice"})


def few_values(generator: str) -> bool:
    """Whether `generator` draws from a short list (makes, colours, ``choice:``), so that its values recur often."""
    return generator.partition(":")[0] in _FEW_VALUES


def generate_text(generator: str, rng: np.random.Generator, country: str) -> str:
    """Generate one field value.

    The result is a pure function of ``generator``, the state of ``rng`` and ``country``; ``rng`` is
    advanced, no other randomness is used.

    Args:
        generator: a generator string (see docs/templates.md), e.g. ``"plate"`` or ``"number:1-9"``.
        rng: the only source of randomness.
        country: ISO 3166 alpha-2 code of the template; picks the plate format and the Faker locale
            (names and addresses from ``countries.locale_for(country)``).

    Returns:
        The text, one line.

    Raises:
        ValueError: a bad generator string, or ``plate`` for a country without a plate format.
    """
    return _compile(generator)(rng, country.upper())
