"""Tests of synthcert.text.fonts: which fonts may draw a text."""

from __future__ import annotations

from synthcert.text.fonts import font_charset, fonts_covering, resolve_font

OCRB, DEJAVU, ROBOTO = (resolve_font(n) for n in ("ocrb", "dejavu-sans", "roboto-black"))


def test_fonts_covering_keeps_the_given_order_when_every_font_has_every_character():
    assert fonts_covering((ROBOTO, OCRB, DEJAVU), "WVW 1234-AB") == [ROBOTO, OCRB, DEJAVU]


def test_fonts_covering_drops_a_font_that_lacks_one_character():
    needed = set("Łódź ulica") - {" "}
    assert not needed <= font_charset(OCRB) and needed <= font_charset(DEJAVU)  # the premise, from the cmaps
    assert fonts_covering((OCRB, DEJAVU, ROBOTO), "Łódź ulica") == [DEJAVU, ROBOTO]
    assert fonts_covering((OCRB,), "Łódź") == []


def test_spaces_never_rule_a_font_out():
    assert fonts_covering((OCRB,), "   ") == [OCRB]
    assert fonts_covering((), "A") == []
