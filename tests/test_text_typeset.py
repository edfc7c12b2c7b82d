"""Tests of synthcert.text.typeset: line masks from cached glyphs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from synthcert.text.fonts import resolve_font
from synthcert.text.typeset import face, line_width, typeset

FACE = face(resolve_font("dejavu-sans"), 20)


def test_cached_line_is_read_only_and_equal_to_an_uncached_one():
    mask = typeset("SKODA OCTAVIA", FACE, 0.0)
    assert typeset("SKODA OCTAVIA", FACE, 0.0) is mask
    assert not mask.flags.writeable
    fresh = typeset("SKODA OCTAVIA", FACE, 0.0, cache=False)
    assert fresh is not mask and not fresh.flags.writeable
    np.testing.assert_array_equal(mask, fresh)


@pytest.mark.parametrize("text", ["AVATAR", "ffi", "1A", "W.W"], ids=["kerning-pairs", "ligature-letters", "digits",
                                                                      "dots"])
def test_overlapping_glyphs_keep_the_darker_coverage(text):
    mask = typeset(text, FACE, -3.0)  # negative spacing makes neighbours overlap
    pen = 0.0
    for char in text:
        g = FACE.glyph(char)
        x, y = round(pen) + g.left, g.top
        if g.mask.size and x >= 0 and y >= 0:
            assert (mask[y:y + g.mask.shape[0], x:x + g.mask.shape[1]] >= g.mask).all()
        pen += g.advance - 3.0


def test_line_width_adds_spacing_between_characters_only():
    assert line_width("AB", FACE, 2.0) == pytest.approx(FACE.glyph("A").advance + FACE.glyph("B").advance + 2.0)
    assert line_width("", FACE, 2.0) == 0


def test_line_width_of_characters_never_drawn_is_pillows_advance_sum():
    fresh = face(resolve_font("dejavu-serif"), 23)  # a face no other test uses: nothing rasterised yet
    text = "Žluťoučký kůň"
    expected = sum(fresh.font.getlength(c) for c in text) + 1.5 * (len(text) - 1)
    assert line_width(text, fresh, 1.5) == pytest.approx(expected)
    assert line_width(text, fresh, 1.5) == pytest.approx(expected)  # now from the cached advances


@pytest.mark.parametrize("text, spacing", [("WB 1234 XY", 0.0), ("SKODA OCTAVIA", 2.0), ("AVATAR", -3.0), ("", 0.0),
                                           ("A", 0.0), ("WAVE", -8.0), ("jq", 0.0), ("W.i", -8.0), ("JAN", 0.0),
                                           ("iJ", -9.0)],
                         ids=["plate", "spaced-model", "overlapping", "empty", "one-glyph", "three-sharing-a-column",
                              "sticking-out-below", "inside-the-one-before", "left-of-the-pen",
                              "left-of-the-pen-over-the-one-before"])
def test_line_mask_equals_every_glyph_pasted_at_its_pen_position(text, spacing):
    np.testing.assert_array_equal(typeset(text, FACE, spacing), _pasted(text, FACE, spacing))


def test_accents_above_the_line_are_cut_off_as_when_pasted():
    fc = face(resolve_font("liberation-sans"), 12)
    assert min(fc.glyph(c).top for c in "ŠÁŽ") < 0  # the case under test: above the ascender line
    for text in ("PEŠKOVÁ", "ŽÁBA", "JÁN ŠÍR"):
        np.testing.assert_array_equal(typeset(text, fc, 0.0, cache=False), _pasted(text, fc, 0.0))


def _pasted(text, fc, spacing):
    """Oracle: each glyph's own mask max-combined at round(pen) + left, top, whichever way typeset builds the line;
    what falls left of the pen's start or above the ascender line is cut off, and the line grows down to the lowest."""
    pasted, pen = [], 0.0
    for char in text:
        g = fc.glyph(char)
        if g.mask.size:
            pasted.append((round(pen) + g.left, g.top, g.mask))
        pen += g.advance + spacing
    height = max([fc.ascent + fc.descent] + [y + m.shape[0] for x, y, m in pasted])
    expected = np.zeros((height, max([1] + [x + m.shape[1] for x, y, m in pasted])), np.uint8)
    for x, y, m in pasted:
        m = m[max(-y, 0):, max(-x, 0):]
        x, y = max(x, 0), max(y, 0)
        region = expected[y:y + m.shape[0], x:x + m.shape[1]]
        np.maximum(region, m, out=region)
    return expected


@pytest.mark.parametrize("font, size", [("dejavu-sans", 20), ("ocrb", 7), ("liberation-mono", 31)])
def test_glyph_is_what_pillow_draws_at_the_pen(font, size):
    # Oracle: Pillow drawing each character on a blank page, pen at the ascender line, anchor "la".
    fc = face(resolve_font(font), size)
    pad = 2 * size
    for char in "Agjy.Ż_Q|":
        page = Image.new("L", (4 * size, 4 * size))
        ImageDraw.Draw(page).text((pad, pad), char, font=fc.font, fill=255, anchor="la")
        expected = np.asarray(page)
        g = fc.glyph(char)
        placed = np.zeros_like(expected)
        placed[pad + g.top:pad + g.top + g.mask.shape[0], pad + g.left:pad + g.left + g.mask.shape[1]] = g.mask
        np.testing.assert_array_equal(placed, expected, err_msg=char)
        assert g.advance == fc.font.getlength(char)
        if g.columns is not None:  # the glyph at its place in a line, column by column
            strip = np.frombuffer(g.columns, np.uint8).reshape(g.mask.shape[1], fc.ascent + fc.descent).T
            np.testing.assert_array_equal(strip, placed[pad:pad + fc.ascent + fc.descent,
                                                        pad + g.left:pad + g.left + g.mask.shape[1]])
    assert fc.glyph(" ").mask.size == 0
