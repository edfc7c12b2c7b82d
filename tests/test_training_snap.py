"""The answer's ends moved onto the ink: checked against the ink's own box, found with np.nonzero on the drawn text."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from synthcert import geometry
from synthcert.resources import shipped_dir
from synthcert.training.snap import snap_ends

PAPER, INK = 225, 40


def printed(text: str = "J5D3798", size_px: int = 48, where=(60, 40), extra=()):
    """A (120, 400, 3) photo of dark text on light paper; returns it and the ink's box (x0, y0, x1, y1), COCO."""
    mask = Image.new("L", (400, 120))
    draw = ImageDraw.Draw(mask)
    font = ImageFont.truetype(str(shipped_dir("fonts") / "DejaVuSans-Bold.ttf"), size_px)
    draw.text(where, text, font=font, fill=255)
    ys, xs = np.nonzero(np.asarray(mask) > 127)
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    for xy, piece in extra:  # other ink near the number, outside its box
        draw.text(xy, piece, font=font, fill=255)
    coverage = np.asarray(mask, np.float64)[..., None] / 255
    return np.round(PAPER + (INK - PAPER) * coverage).repeat(3, axis=2).astype(np.uint8), box


def off_ends(box, left_in: float, right_in: float) -> np.ndarray:
    """The box as a quad with its left side `left_in` and its right side `right_in` text heights inside."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    return geometry.rect_corners_xy((x0 + left_in * h, y0, x1 - right_in * h, y1))


def test_the_ends_move_onto_the_ink_where_a_corner_lies_on_blank_paper():
    image, box = printed()  # the J's hook reaches further left than its top: TL lies on paper
    snapped = snap_ends(image, off_ends(box, 0.25, -0.2))  # left side on the J's stem, right side past the 8
    np.testing.assert_allclose(snapped, geometry.rect_corners_xy(box), atol=1.6)  # 1/32 text height is 1.4 px


def test_a_leaning_answer_is_stood_upright_along_the_strokes():
    image, box = printed()
    x0, y0, x1, y1 = box
    lean = 0.25 * (y1 - y0)  # the top side a quarter of the text height right: the refiner's top-left on the J's top
    start = np.array([[x0 + lean, y0], [x1 + lean, y0], [x1, y1], [x0, y1]], np.float64)
    # a column (1.4 px) and half a slant step (0.0125 of the 46 px height: 0.6 px) at each corner
    np.testing.assert_allclose(snap_ends(image, start), geometry.rect_corners_xy(box), atol=2.0)


def test_other_ink_beyond_the_gap_stays_out():
    image, box = printed(extra=[((8, 40), ":"), ((355, 40), "A")])  # a colon and a letter a space away
    snapped = snap_ends(image, off_ends(box, 0.2, 0.2))
    np.testing.assert_allclose(snapped, geometry.rect_corners_xy(box), atol=1.6)


def test_light_ink_on_dark_paper_is_ink_too():
    image, box = printed()
    snapped = snap_ends(255 - image, off_ends(box, 0.25, 0.15))
    np.testing.assert_allclose(snapped, geometry.rect_corners_xy(box), atol=1.6)


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_the_ends_are_found_along_the_line_whatever_its_roll(turns):
    image, box = printed()
    turned_from_image = geometry.quarter_turn(image.shape[1::-1], turns)
    turned = np.ascontiguousarray(np.rot90(image, turns))
    start = geometry.transform_points(turned_from_image, off_ends(box, 0.25, 0.2))  # still TL, TR, BR, BL as read
    expected = geometry.transform_points(turned_from_image, geometry.rect_corners_xy(box))
    np.testing.assert_allclose(snap_ends(turned, start), expected, atol=1.6)


def test_a_line_without_ink_keeps_its_quad_and_an_end_far_inside_keeps_its_side():
    blank = np.full((120, 400, 3), PAPER, np.uint8)
    quad = geometry.rect_corners_xy((60, 40, 300, 80))
    np.testing.assert_allclose(snap_ends(blank, quad), quad)
    image, box = printed()
    x0, y0, x1, y1 = box
    long = geometry.rect_corners_xy((x0, y0, x1 + (y1 - y0), y1))  # a text height of paper right of the ink
    np.testing.assert_allclose(snap_ends(image, long)[[1, 2]], long[[1, 2]], atol=1.0)  # upright within a slant step
