"""Tests of synthcert.template.font_match and .style: the shipped font and weight that print like the photo.

Each "photo" field is text painted with a known font, size and thickening on a light ground; the checks
compare the choice with what was painted.
"""

from __future__ import annotations

import numpy as np
import pytest

from synthcert.template.erase import erase_field, stroke_width
from synthcert.template.font_match import mask_similarity, rank_fonts, text_mask
from synthcert.template.style import choose_styles
from synthcert.text.fonts import resolve_font

TEXT = "AB 1234 XY"


def _field(font: str, size_px: float, bold_px: float = 0.0, ink=(20, 20, 30), ground=(235, 230, 215)):
    """A 90 px high box of `ground` with TEXT painted in `font`; returns what erase_field measures there."""
    mask = text_mask(TEXT, resolve_font(font), size_px, bold_px)
    h, w = mask.shape
    image = np.empty((90, w + 60, 3), np.uint8)
    image[:] = ground
    image[30:30 + h, 30:30 + w][mask] = ink
    return erase_field(image, (0, 0, image.shape[1], 90))[1]


@pytest.mark.parametrize("font", ["dejavu-sans-bold", "liberation-mono", "roboto-condensed-bold", "ocrb",
                                  "bebas-neue-bold"])
def test_the_font_that_printed_the_text_ranks_first(font):
    ink = _field(font, 44)
    ranked = rank_fonts(ink.letters, ink.text_height_px, TEXT)
    assert ranked[0].font == font, [(m.font, round(m.score, 2)) for m in ranked[:3]]
    wrong = next(m for m in ranked if m.font not in (font, "dejavu-sans", "dejavu-sans-bold", "liberation-sans"))
    assert ranked[0].score > wrong.score + 0.1


def test_mask_similarity_is_one_for_the_same_mask_and_lower_for_another_font():
    a = text_mask(TEXT, resolve_font("dejavu-sans"), 40)
    assert mask_similarity(a, a) == 1.0
    assert mask_similarity(a, text_mask(TEXT, resolve_font("ocrb"), 40)) < 0.8


def test_a_print_heavier_than_every_font_is_thickened_to_its_stroke_width():
    ink = _field("dejavu-sans-bold", 40, bold_px=5.0)
    style = choose_styles({"registration_number": ink}, {"registration_number": TEXT})["registration_number"]
    assert style.bold_px > 1.0
    replay = text_mask(TEXT, resolve_font(style.fonts[0]), style.size_px, style.bold_px)
    assert abs(stroke_width(replay) / ink.stroke_px - 1) < 0.12, (stroke_width(replay), ink.stroke_px)


def test_fields_printed_alike_share_one_style_and_others_do_not():
    inks = {"a": _field("dejavu-sans", 30), "b": _field("dejavu-sans", 30),
            "red": _field("dejavu-sans", 30, ink=(180, 30, 40)), "big": _field("dejavu-sans", 48),
            "light": _field("dejavu-sans", 30, ink=(240, 240, 240), ground=(60, 60, 60))}
    styles = choose_styles(inks, {})
    assert styles["a"].style == styles["b"].style is not None
    assert styles["a"].size_px == styles["b"].size_px and styles["a"].fonts == styles["b"].fonts
    assert all(styles[n].style is None for n in ("red", "big", "light"))  # each printed unlike the others
    assert styles["light"].color_rgb[0] > 200 and inks["light"].polarity == "light"


def test_a_table_rule_under_the_value_stays_and_two_close_lines_do_not_double_the_cap_height():
    mask = text_mask("AB 1234", resolve_font("dejavu-sans"), 18)
    h, w = mask.shape
    image = np.full((60, w + 40, 3), 235, np.uint8)
    image[30:30 + h, 20:20 + w][mask] = (20, 20, 30)
    image[30 + h + 1:30 + h + 3, :] = (60, 60, 60)  # a 2 px rule just below the baseline, across the box
    erased, ink = erase_field(image, (0, 0, image.shape[1], 60))
    assert (erased[30 + h + 1:30 + h + 3, 5:-5] < 100).all()  # the rule is still there, not lightened
    assert abs(ink.text_height_px - h) <= 2
    two = np.full((2 * h + 30, w + 40, 3), 235, np.uint8)
    for y in (10, 12 + h):  # two lines 2 px apart, as in a cramped address box
        two[y:y + h, 20:20 + w][mask] = (20, 20, 30)
    assert abs(erase_field(two, (0, 0, two.shape[1], two.shape[0]))[1].text_height_px - h) <= 2
