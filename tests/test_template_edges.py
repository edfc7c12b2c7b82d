"""edges.refine_corners against an independent oracle: a card painted pixel-exactly at known COCO corners."""

import numpy as np
import pytest

from synthcert.template.edges import refine_corners

# Pixels [60, 260) x [40, 170) are the card: its COCO corners are exactly these (pixel (i, j) covers [i, i+1)).
CARD_XY = np.array([[60.0, 40.0], [260.0, 40.0], [260.0, 170.0], [60.0, 170.0]])


def _card(card_grey: int, table_grey: int) -> np.ndarray:
    image = np.full((220, 320, 3), table_grey, np.uint8)
    image[40:170, 60:260] = card_grey
    return image


@pytest.mark.parametrize("card_grey, table_grey", [(230, 40), (40, 230)], ids=["light-card", "dark-card"])
def test_refined_corners_land_on_the_painted_pixel_boundaries_within_a_quarter_pixel(card_grey, table_grey):
    rough = CARD_XY + np.array([[3.0, -2.0], [-2.5, 3.0], [2.0, 2.5], [-3.0, -2.0]])
    fit = refine_corners(_card(card_grey, table_grey), rough)
    assert fit.support > 0.9
    assert np.abs(fit.corners_xy - CARD_XY).max() < 0.25, fit.corners_xy
