"""Tests of synthcert.photometric.phone: what a phone's processing does to edges, noise and colour."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthcert.photometric.effects import apply_tables
from synthcert.photometric.phone import (
    ChromaticParams,
    ColourCastParams,
    DenoiseParams,
    SharpenParams,
    apply_chromatic,
    apply_colour_cast,
    apply_denoise,
    apply_sharpen,
    colour_cast_tables,
)

EDGE = np.full((32, 48, 3), 60, np.uint8)
EDGE[:, 24:] = 190


def test_sharpening_overshoots_on_both_sides_of_an_edge():
    out = apply_sharpen(EDGE, SharpenParams(amount=1.0, sigma_px=1.5)).astype(int)
    assert out[16, 22, 0] < 60 and out[16, 25, 0] > 190  # a dark and a bright halo
    assert out[16, 2, 0] == 60 and out[16, 45, 0] == 190  # far from the edge nothing changes


@pytest.mark.parametrize("sigma", [0.7, 1.3, 2.0])
def test_sharpening_is_an_unsharp_mask_with_opencvs_gaussian_within_rounding(sigma):
    image = cv2.GaussianBlur(np.random.default_rng(4).integers(0, 256, (48, 64, 3), dtype=np.uint8), (0, 0), 0.8)
    image[10:30, 20:24] = 0  # a dark stroke: where a kernel cut short or a wrong sigma shows most
    params = SharpenParams(amount=1.5, sigma_px=sigma)
    # The oracle: the unsharp mask with OpenCV's own Gaussian (its kernel size for 8-bit images).
    oracle = cv2.addWeighted(image, 2.5, cv2.GaussianBlur(image, (0, 0), sigma), -1.5, 0.0)
    difference = np.abs(apply_sharpen(image, params).astype(int) - oracle)
    assert difference.max() <= 2 and difference.mean() < 0.2  # the blur's rounding (one level) times the amount


def test_noise_reduction_flattens_noise_and_keeps_the_edge():
    noisy = np.clip(EDGE + np.random.default_rng(0).normal(0, 6, EDGE.shape), 0, 255).astype(np.uint8)
    out = apply_denoise(noisy, DenoiseParams(diameter_px=5, sigma_colour=40.0)).astype(int)
    assert out[:, 3:20].std() < 0.6 * noisy[:, 3:20].astype(int).std()
    assert out[16, 20, 0] < 90 and out[16, 27, 0] > 160


def test_chromatic_fringes_shift_red_and_blue_in_the_corners_not_green_or_the_centre():
    grid = np.zeros((65, 97, 3), np.uint8)
    grid[::8] = 255
    grid[:, ::8] = 255
    out = apply_chromatic(grid, ChromaticParams(shift_px=1.0))
    np.testing.assert_array_equal(out[..., 1], grid[..., 1])
    change = np.abs(out.astype(int) - grid)
    assert change[28:37, 44:53].max() <= 20  # 4 px from the centre the shift is under 0.1 px
    assert change[:6, :6, 0].max() > 100 and change[:6, :6, 2].max() > 100  # about a pixel in the corners


def test_a_colour_cast_tints_without_changing_grey_by_much():
    grey = np.full((4, 4, 3), 128, np.uint8)
    out = apply_colour_cast(grey, ColourCastParams((1.1, 0.9, 1.0))).astype(int)
    assert out[0, 0].tolist() == [141, 115, 128]


@pytest.mark.parametrize("seed", range(6))
def test_a_colour_casts_tables_give_the_bytes_of_its_transform(seed):
    rng = np.random.default_rng(seed)
    params = ColourCastParams(tuple(float(g) for g in rng.uniform(0.8, 1.3, 3)))
    image = rng.integers(0, 256, (int(rng.integers(1, 40)), int(rng.integers(1, 70)), 3), dtype=np.uint8)
    np.testing.assert_array_equal(apply_tables(image, colour_cast_tables(params)), apply_colour_cast(image, params))
