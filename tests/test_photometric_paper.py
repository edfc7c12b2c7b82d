"""Tests of synthcert.photometric.paper: wear and a sleeve change the sheet and nothing around it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthcert.photometric import effects
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


def _whole_frame_wear(image, params):
    """The oracle: every step of worn print over the whole frame, the sheet's mask limiting its shares."""
    from synthcert.photometric.paper import _blob_share, _sheet_mask, _within

    h, w = image.shape[:2]
    inside = _sheet_mask(params.sheet_xy, (w, h))
    out = image
    if params.fades:
        paper = cv2.dilate(image, np.ones((5, 5), np.uint8))
        out = effects.blend(out, paper, _within(_blob_share(params.fades, (w, h)), inside))
    if params.stains:
        stain = _within(_blob_share(params.stains, (w, h)), inside)
        gain = cv2.merge([cv2.addWeighted(stain, -(1.0 - c), stain, 0.0, 255.0) for c in params.stain_rgb])
        out = cv2.multiply(out, gain, scale=1 / 255.0)
    if params.specks:
        dots = np.zeros((h, w), np.uint8)
        for x, y, r, weight in params.specks:
            cv2.circle(dots, (round((x - 0.5) * 16), round((y - 0.5) * 16)), max(round(r * 16), 8), int(255 * weight),
                       -1, cv2.LINE_AA, shift=4)
        out = effects.blend(out, (0, 0, 0), _within(dots, inside))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_worn_print_over_the_sheets_box_is_the_whole_frames_to_the_byte(seed):
    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8), (0, 0), 1.0)
    sheet = np.array(SHEET) + rng.uniform(-4, 4, (4, 2))  # edges through pixels, some off the frame
    sheet[0] = rng.uniform(-6, 24, 2)
    params = sample_wear(rng, 2.0, EffectFrame((96, 64), sheet))
    np.testing.assert_array_equal(apply_wear(image, params), _whole_frame_wear(image, params))


@pytest.mark.parametrize("seed", range(6))
def test_specks_blended_at_the_pixels_they_touch_are_the_whole_frames_to_the_byte(seed):
    # Many specks of every size the params allow, overlapping each other and the sheet's edges.
    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8), (0, 0), 1.0)
    specks = tuple((float(x), float(y), float(r), float(wt)) for x, y, r, wt in zip(
        rng.uniform(14, 82, 40), rng.uniform(6, 58, 40), rng.uniform(0.1, 4.0, 40), rng.uniform(0.2, 1.0, 40),
        strict=True))
    for sheet in (SHEET, None):
        params = WearParams(sheet, specks=specks)
        np.testing.assert_array_equal(apply_wear(image, params), _whole_frame_wear(image, params))


@pytest.mark.parametrize("seed", range(8))
def test_a_sleeve_over_the_sheets_box_is_the_whole_frames_to_the_byte(seed):
    from synthcert.photometric.paper import _sheet_mask, _within, sample_sleeve

    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8), (0, 0), 1.0)
    sheet = np.array(SHEET) + rng.uniform(-4, 4, (4, 2))
    sheet[0] = rng.uniform(-6, 24, 2)  # a corner off the frame
    params = sample_sleeve(rng, 2.0, EffectFrame((96, 64), sheet))
    # The oracle: the band's share over the whole frame, limited by the sheet's mask, blended everywhere.
    bx, by, angle_deg, width = params.band
    xs, ys = effects.coarse_grid(96, 64, effects.step_for(0.5 * width))
    a = np.deg2rad(angle_deg)
    across = -(xs - bx) * np.sin(a) + (ys - by) * np.cos(a)
    share = effects.upsample(effects.to_share(params.veil + params.band_veil * np.exp(-0.5 * (across / (0.5 * width))
                                                                                     ** 2)), (96, 64))
    expected = effects.blend(image, params.light_rgb, _within(share, _sheet_mask(params.sheet_xy, (96, 64))))
    np.testing.assert_array_equal(apply_sleeve(image, params), expected)
