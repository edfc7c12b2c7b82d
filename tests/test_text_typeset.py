"""Tests of synthcert.text.typeset: line masks from cached glyphs."""

from __future__ import annotations

import numpy as np
import pytest

from synthcert.text.fonts import resolve_font
from synthcert.text.typeset import face, line_width, typeset

FACE = face(resolve_font("dejavu-sans"), 20)


def test_cached_line_is_read_only_and_equal_to_a_fresh_one():
    mask = typeset("SKODA OCTAVIA", FACE, 0.0)
    assert typeset("SKODA OCTAVIA", FACE, 0.0) is mask
    assert not mask.flags.writeable
    np.testing.assert_array_equal(mask, typeset.__wrapped__("SKODA OCTAVIA", FACE, 0.0))


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
