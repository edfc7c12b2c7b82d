"""Tests of synthcert.photometric.paper: wear and a sleeve change the sheet and nothing around it."""

from __future__ import annotations

import numpy as np
import pytest

from synthcert.photometric.effects import EffectFrame
from synthcert.photometric.paper import SleeveParams, WearParams, apply_sleeve, apply_wear, sample_wear

SHEET = ((20.0, 12.0), (76.0, 12.0), (76.0, 52.0), (20.0, 52.0))
IMAGE = np.full((64, 96, 3), 30, np.uint8)
IMAGE[12:52, 20:76] = 220  # the sheet
IMAGE[30:34, 30:66] = 20  # a line of print


def _outside(image):
    mask = np.ones(image.shape[:2], bool)
    mask[10:54, 18:78] = False  # the antialiased edge may change
    return image[mask]


def test_worn_print_fades_stains_and_specks_only_the_sheet():
    params = WearParams(SHEET, fades=((48.0, 32.0, 12.0, 0.8),), stains=((30.0, 20.0, 6.0, 0.5),),
                        specks=((60.0, 45.0, 1.5, 0.8),))
    out = apply_wear(IMAGE, params).astype(int)
    np.testing.assert_array_equal(_outside(out), _outside(IMAGE))
    assert out[32, 48, 0] > 100  # the print faded towards the paper
    assert out[20, 30, 2] < out[20, 30, 0] < 220  # a brownish stain
    assert out[45, 60, 0] < 120  # a speck


def test_a_sleeve_lifts_the_blacks_and_lowers_contrast_on_the_sheet_only():
    params = SleeveParams(SHEET, veil=0.1, band=(48.0, 32.0, 0.0, 20.0), band_veil=0.2, light_rgb=(250, 250, 250))
    out = apply_sleeve(IMAGE, params).astype(int)
    np.testing.assert_array_equal(_outside(out), _outside(IMAGE))
    assert out[32, 48, 0] > 20 + 0.25 * 230 and out[15, 48, 0] >= 220


@pytest.mark.parametrize("seed", range(4))
def test_wear_is_drawn_inside_the_sheet(seed):
    params = sample_wear(np.random.default_rng(seed), 1.0, EffectFrame((96, 64), np.array(SHEET)))
    for x, y, _, weight in params.fades + params.stains + params.specks:
        assert 20 <= x <= 76 and 12 <= y <= 52 and 0 <= weight <= 1
