"""Tests of synthcert.text.fonts: which fonts may draw a text."""

from __future__ import annotations

from fontTools.ttLib import TTFont

from synthcert.text.fonts import BUILTIN_FONTS, FONT_DIR, font_charset, fonts_covering, resolve_font

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


def test_font_charset_is_the_best_cmap_read_with_the_real_glyph_names():
    # font_charset gives fontTools placeholder names to skip reading the real ones; the codes must be the same as a
    # full read's, whose cmap maps them to glyphs other than glyph 0 by their names.
    for file in BUILTIN_FONTS.values():
        font = TTFont(str(FONT_DIR / file))
        cmap, notdef = font.getBestCmap(), font.getGlyphOrder()[0]
        assert font_charset(FONT_DIR / file) == frozenset(chr(c) for c, name in cmap.items() if name != notdef), file
