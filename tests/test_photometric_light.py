"""Tests of synthcert.photometric.light: vignetting, laminate glare, exposure."""

from __future__ import annotations

import numpy as np
import pytest
from albumentations.augmentations.pixel import functional as fpixel

from synthcert.photometric.light import (
    ColourTemperatureParams,
    ExposureParams,
    GlareParams,
    VignetteParams,
    apply_colour_temperature,
    apply_exposure,
    apply_glare,
    apply_vignette,
)

GREY = np.full((64, 96, 3), 160, np.uint8)


def test_vignette_darkens_the_corners_and_keeps_the_centre():
    out = apply_vignette(GREY, VignetteParams(centre_xy=(0.5, 0.5), strength=0.4, radius=1.0, power=2.0))
    assert out.shape == GREY.shape and out.dtype == np.uint8
    assert abs(int(out[32, 48, 0]) - 160) <= 1
    assert abs(int(out[0, 0, 0]) - round(160 * 0.6)) <= 3  # the corner is at the half-diagonal: full strength


def test_glare_brightens_towards_the_light_along_its_long_axis():
    params = GlareParams(centre_xy=(48.0, 32.0), angle_deg=0.0, sigma_major_px=20.0, sigma_minor_px=4.0,
                         intensity=0.8, light_rgb=(255.0, 255.0, 255.0))
    out = apply_glare(GREY, params).astype(int)
    assert out[32, 48].min() == 255  # a burnt-out core
    assert out[32, 68, 0] > out[52, 48, 0]  # one sigma along the streak is brighter than far across it
    assert out[0, 0, 0] == 160


@pytest.mark.parametrize(("angle_deg", "major", "minor"), [(0.0, 30.0, 3.0), (35.0, 40.0, 12.0), (120.0, 90.0, 30.0)],
                         ids=["thin", "tilted", "broad"])
def test_glare_is_the_per_pixel_gaussian_within_the_coarse_grids_error(angle_deg, major, minor):
    image = np.random.default_rng(3).integers(0, 200, (64, 96, 3), dtype=np.uint8)
    params = GlareParams((40.0, 30.0), angle_deg, major, minor, intensity=0.5, light_rgb=(255.0, 240.0, 220.0))
    # The oracle: the streak's weight at every pixel centre, blended in floats.
    ys, xs = np.mgrid[0:64, 0:96] + 0.5
    a = np.deg2rad(angle_deg)
    along = (xs - 40) * np.cos(a) + (ys - 30) * np.sin(a)
    across = -(xs - 40) * np.sin(a) + (ys - 30) * np.cos(a)
    share = np.minimum(1.6 * 0.5 * np.exp(-0.5 * ((along / major) ** 2 + (across / minor) ** 2)), 1)[..., None]
    oracle = image * (1 - share) + np.array([255.0, 240.0, 220.0]) * share
    difference = np.abs(apply_glare(image, params) - oracle)
    # The coarse grid's error: a few % of the peak inside, twice that at the frame's edge, where the upsampling
    # holds the outer cells' value for half a cell.
    assert difference.max() <= 0.08 * 255 and difference.mean() < 1.2


def test_exposure_maps_grey_levels_linearly_and_clips():
    out = apply_exposure(np.array([[[0, 100, 250]]], np.uint8), ExposureParams(contrast=1.2, brightness=0.1))
    assert out.tolist() == [[[26, 146, 255]]]  # 1.2 * v + 25.5, rounded, clipped


@pytest.mark.parametrize("kelvin", [2000, 3000, 3001, 4250, 5999, 6000, 6500, 9137, 14999, 15000, 20000])
def test_colour_temperature_tints_as_albumentations_planckian_jitter_to_the_byte(kelvin):
    image = np.random.default_rng(kelvin).integers(0, 256, (12, 40, 3), dtype=np.uint8)
    oracle = fpixel.planckian_jitter(image, kelvin, mode="blackbody")
    np.testing.assert_array_equal(apply_colour_temperature(image, ColourTemperatureParams(kelvin)), oracle)


def test_the_black_body_figures_are_albumentations_own():
    from synthcert.photometric.light import _BLACKBODY

    table = fpixel.PLANCKIAN_COEFFS["blackbody"]
    assert {k: tuple(v) for k, v in table.items()} == _BLACKBODY


def test_invalid_params_are_refused_with_the_expected_range():
    with pytest.raises(ValueError, match="0 <= strength < 1"):
        VignetteParams(strength=1.2)
    with pytest.raises(ValueError, match="intensity in \\[0, 1\\]"):
        GlareParams((0.0, 0.0), 0.0, 10.0, 5.0, intensity=2.0)
