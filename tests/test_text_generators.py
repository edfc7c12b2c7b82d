"""Text generators: validity of each kind of value, determinism, and error reporting."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synthcert.text.generators import check_generator, few_values, generate_text, vin_check_digit
from synthcert.text.plates import PLATE_COUNTRIES

ALL_GENERATORS = [
    "plate", "plate:DE", "vin", "name", "first_name", "last_name", "address", "street", "city", "postcode",
    "date", "date:%Y-%m-%d", "make", "model", "make_model", "vehicle_type", "colour", "fuel", "number:1-99",
    "pattern:??-####", "choice:M1|N1|L3e",
]
COUNTRIES = ["CZ", "DE", "GB", "MY", "HU", "AT"]

# ISO 3779 / North-American check digit, written out independently of the implementation.
VIN_VALUE = {
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
    **{str(d): d for d in range(10)},
}
VIN_WEIGHT = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def expected_check_digit(vin: str) -> str:
    remainder = sum(VIN_VALUE[c] * w for c, w in zip(vin, VIN_WEIGHT, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def texts(seed: int) -> dict[str, str]:
    """One value of every generator for every test country, each from a fresh generator with `seed`."""
    return {f"{g}@{c}": generate_text(g, np.random.default_rng(seed), c) for g in ALL_GENERATORS for c in COUNTRIES}


def test_independent_check_digit_agrees_with_known_vins():
    assert expected_check_digit("1M8GDM9AXKP042788") == "X"  # the textbook example
    assert expected_check_digit("11111111111111111") == "1"
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"


def test_vin_check_digit_is_valid():
    rng = np.random.default_rng(1)
    for _ in range(500):
        vin = generate_text("vin", rng, "CZ")
        assert vin[8] == expected_check_digit(vin), vin


def test_vin_has_no_i_o_q():
    rng = np.random.default_rng(2)
    for _ in range(500):
        vin = generate_text("vin", rng, "CZ")
        assert re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin), vin


def test_same_rng_seed_gives_same_text():
    assert texts(42) == texts(42)


def test_different_seeds_give_different_text():
    a, b = texts(1), texts(2)
    assert sum(a[k] != b[k] for k in a) > len(a) // 2


def test_text_does_not_depend_on_earlier_calls():
    before = texts(7)
    rng = np.random.default_rng(99)
    for g in ALL_GENERATORS:  # use every cached Faker instance in between
        generate_text(g, rng, "FR")
    assert texts(7) == before


def test_same_text_in_another_process():
    script = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from tests.test_text_generators import texts\n"
        "print(json.dumps(texts(42)))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script, str(root)], cwd=root, env=env,
                         capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == texts(42)


@pytest.mark.parametrize("seed", range(4))
def test_faker_fields_are_a_faker_seeded_with_the_generators_integers_below_2_pow_63(seed):
    from faker import Faker

    reference = Faker("pl_PL")
    reference.seed_instance(int(np.random.default_rng(seed).integers(2**63)))
    rng = np.random.default_rng(seed)
    assert generate_text("last_name", rng, "PL") == reference.last_name()
    rest = np.random.default_rng(seed)
    rest.integers(2**63)
    assert rng.random() == rest.random()  # one 64-bit draw taken, as integers takes it


def test_few_values_generators_repeat_their_values_and_the_others_hardly_ever():
    rng = np.random.default_rng(0)
    for generator in ["make", "model", "colour", "fuel", "vehicle_type", "choice:M1|N1|L3e"]:
        assert few_values(generator)
        assert len({generate_text(generator, rng, "DE") for _ in range(300)}) < 150, generator
    for generator in ["name", "address", "vin", "plate", "date", "pattern:??##", "number:1-99999"]:
        assert not few_values(generator)
        assert len({generate_text(generator, rng, "DE") for _ in range(300)}) > 270, generator


def test_global_random_state_is_untouched():
    py_state, np_state = random.getstate(), np.random.get_state()
    texts(3)
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]


def test_generator_advances_only_the_given_rng():
    rng = np.random.default_rng(4)
    generate_text("name", rng, "CZ")
    assert rng.random() != np.random.default_rng(4).random()


@pytest.mark.parametrize(
    ("generator", "expected"),
    [
        ("plat", "did you mean 'plate'?"),
        ("color", "did you mean 'colour'?"),
        ("plate:XX", "unknown country 'XX'"),
        ("number:9-1", "LO <= HI"),
        ("number:a-b", "number:LO-HI"),
        ("number", "needs an argument"),
        ("vin:1", "takes no argument"),
        ("choice:|", "no option"),
        ("pattern:", "empty pattern"),
        ("pattern:??[#", "unclosed '['"),
        ("pattern:??]", "unmatched ']'"),
        ("pattern:A||B", "empty alternative"),
        ("date:", "empty date format"),
    ],
)
def test_unknown_generator_is_reported_with_fix(generator, expected):
    message = check_generator(generator)
    assert message is not None and expected in message and "\n" not in message
    with pytest.raises(ValueError) as err:
        generate_text(generator, np.random.default_rng(0), "CZ")
    assert str(err.value) == message


def test_unknown_generator_lists_the_valid_ones():
    message = check_generator("plat")
    assert message.startswith("unknown generator 'plat'; expected one of plate, plate:CC, vin,")


def test_valid_generators_pass_the_check():
    for g in ALL_GENERATORS:
        assert check_generator(g) is None, g


def test_check_knows_countries_without_plate_format():
    assert check_generator("plate", country="CZ") is None
    assert "no plate format for country 'XX'" in check_generator("plate", country="XX")
    assert check_generator("name", country="XX") is None
    assert check_generator(3) is not None


def test_pattern_generator():
    rng = np.random.default_rng(5)
    for _ in range(100):
        assert re.fullmatch(r"[A-Z]{2}-\d{4}", generate_text("pattern:??-####", rng, "CZ"))
        assert re.fullmatch(r"ab [A-Z]\d%x", generate_text("pattern:ab ?#%x", rng, "CZ"))


def test_date_format():
    rng = np.random.default_rng(6)
    lo, hi = dt.date(1990, 1, 1), dt.date(2026, 12, 31)
    for _ in range(300):
        default = generate_text("date", rng, "CZ")
        assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", default)
        assert lo <= dt.datetime.strptime(default, "%d.%m.%Y").date() <= hi
        iso = generate_text("date:%Y-%m-%d", rng, "CZ")
        assert lo <= dt.date.fromisoformat(iso) <= hi


def test_number_generator_covers_its_inclusive_range():
    rng = np.random.default_rng(8)
    assert {generate_text("number:3-6", rng, "CZ") for _ in range(200)} == {"3", "4", "5", "6"}
    assert generate_text("number:-2--2", rng, "CZ") == "-2"


def test_choice_generator_returns_every_listed_value():
    rng = np.random.default_rng(9)
    assert {generate_text("choice:M1|N1|L3e", rng, "CZ") for _ in range(200)} == {"M1", "N1", "L3e"}


def test_vehicle_generators_give_known_values():
    rng = np.random.default_rng(10)
    for _ in range(100):
        assert generate_text("vehicle_type", rng, "CZ") in {
            "M1", "M1G", "M2", "M3", "N1", "N2", "N3", "O1", "O2", "L1e", "L3e", "L6e"}
        make, _, model = generate_text("make_model", rng, "CZ").partition(" ")
        assert make and model
    assert "Škoda" in {generate_text("make", rng, "CZ") for _ in range(100)}


@pytest.mark.parametrize("country", [*PLATE_COUNTRIES, "XX"])
def test_locale_aware_generators_give_one_line(country):
    rng = np.random.default_rng(11)
    for g in ("name", "first_name", "last_name", "address", "street", "city", "postcode", "colour", "fuel"):
        text = generate_text(g, rng, country)
        assert text.strip() and "\n" not in text, (g, country, text)


def test_colour_and_fuel_are_in_the_country_language():
    rng = np.random.default_rng(12)
    colours = {generate_text("colour", rng, "CZ") for _ in range(300)}
    assert "Černá" in colours and "Black" not in colours
    assert {generate_text("fuel", rng, "DE") for _ in range(300)} >= {"Benzin", "Diesel"}


def test_pattern_alternatives_and_optional_parts_give_every_form_and_only_those():
    rng = np.random.default_rng(9)
    texts = {generate_text("pattern:DL#[?]?? ####|DL##???####", rng, "IN") for _ in range(400)}
    forms = {"".join("D" if c.isdigit() else "L" if c.isalpha() else c for c in t[2:]) for t in texts}
    assert all(t.startswith("DL") for t in texts)
    assert forms == {"DLL DDDD", "DLLL DDDD", "DDLLLDDDD"}


def test_an_empty_choice_prints_nothing_sometimes_but_is_refused_for_the_target():
    rng = np.random.default_rng(2)
    assert {generate_text("choice:A||B", rng, "CZ") for _ in range(60)} == {"A", "", "B"}
    assert check_generator("choice:A||B") is None
    assert "target field must always print" in check_generator("choice:A||B", target=True)
    assert "target field must always print" in check_generator("pattern:[##]", target=True)
    assert check_generator("pattern:#[#]", target=True) is None


def test_plate_without_a_format_names_the_country_and_the_ways_out():
    message = check_generator("plate", "CN")
    assert "'CN'" in message and "plate:CC" in message and "pattern:" in message
    assert check_generator("plate", "IN") is None and check_generator("name", "CN") is None
