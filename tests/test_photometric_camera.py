"""Tests of synthcert.photometric.camera: blur, downscaling and JPEG keep the picture where it was."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthcert.photometric.camera import (
    BlurParams,
    DownscaleParams,
    JpegParams,
    NoiseParams,
    apply_blur,
    apply_downscale,
    apply_jpeg,
    apply_noise,
)
from synthcert.photometric.effects import NOISE_SIGMA, NOISE_ZERO, noise_bank

DOT = np.zeros((33, 33, 3), np.uint8)
DOT[16, 16] = 255


def _centroid(image: np.ndarray) -> tuple[float, float]:
    weight = image[..., 0].astype(float)
    ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]]
    return float((xs * weight).sum() / weight.sum()), float((ys * weight).sum() / weight.sum())


@pytest.mark.parametrize("params", [BlurParams("motion", 7, 30.0), BlurParams("box", 5), BlurParams("gaussian", 5)],
                         ids=["motion", "box", "gaussian"])
def test_blur_spreads_a_dot_without_moving_it(params):
    out = apply_blur(DOT, params)
    assert out[16, 16, 0] < 255 and (out[..., 0] > 0).sum() > 1
    assert _centroid(out) == pytest.approx((16.0, 16.0), abs=0.05)


def test_downscale_and_jpeg_keep_the_size_and_roughly_the_pixels():
    image = np.random.default_rng(1).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    image = apply_blur(image, BlurParams("gaussian", 5))
    for out in (apply_downscale(image, DownscaleParams(0.6)), apply_jpeg(image, JpegParams(60))):
        assert out.shape == image.shape and out.dtype == np.uint8
        assert 0 < np.abs(out.astype(int) - image).mean() < 12


def test_jpeg_keeps_colours_in_their_channels():
    red = np.zeros((16, 16, 3), np.uint8)
    red[..., 0] = 200
    out = apply_jpeg(red, JpegParams(90)).astype(int)
    assert out[..., 0].mean() > 180 and out[..., 2].mean() < 20


@pytest.mark.parametrize(("make", "match"), [(lambda: BlurParams("swirl", 3), "expected one of"),
                                             (lambda: BlurParams("box", 4), "odd"),
                                             (lambda: DownscaleParams(1.5), "0 < scale <= 1"),
                                             (lambda: JpegParams(0), "1..100")], ids=["kind", "even", "scale", "q"])
def test_invalid_params_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("mono", [True, False], ids=["mono", "colour"])
def test_noise_is_its_bank_crop_added_to_every_channel(mono):
    image = np.random.default_rng(6).integers(0, 256, (40, 56, 3), dtype=np.uint8)
    params = NoiseParams(std=9.0, mono=mono, offset_xy=(13, 29))
    crop = noise_bank((40, 56), mono)[29:69, 13:69]
    # The plain computation: the crop's channels laid side by side by NumPy, one weighted add of OpenCV's.
    noise = np.ascontiguousarray(np.repeat(crop[..., None], 3, axis=2) if mono else crop)
    scale = params.std / NOISE_SIGMA
    np.testing.assert_array_equal(apply_noise(image, params),
                                  cv2.addWeighted(image, 1.0, noise, scale, -NOISE_ZERO * scale))
