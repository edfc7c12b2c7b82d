"""Batch augmentation of pooled samples: corners move exactly with the pixels, and never out of the image."""

import numpy as np
import pytest

from synthcert.training.augment_batch import augment_batch

SIZE_WH = (96, 64)
CORNERS = np.array([[20.5, 14.0], [70.0, 16.5], [72.0, 44.0], [22.0, 46.5]])


def _marker_images(count):
    ys, xs = np.mgrid[0:SIZE_WH[1], 0:SIZE_WH[0]] + 0.5
    images = np.zeros((count, 4, SIZE_WH[1], SIZE_WH[0], 3), np.uint8)
    for k, (x, y) in enumerate(CORNERS):  # one image per corner, a Gaussian blob centred on it
        blob = np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * 1.5**2))
        images[:, k] = (blob * 255 + 0.5).astype(np.uint8)[..., None]
    return images


@pytest.mark.parametrize("seed", range(3))
def test_marker_blobs_land_on_the_moved_corners(seed):
    images = _marker_images(8)
    corners = np.tile(CORNERS, (8, 1, 1))
    for k in range(4):
        rng = np.random.default_rng([seed, 7])  # the same draws for every corner's images
        out, moved = augment_batch(images[:, k], corners, rng, strength=0.0)
        assert np.array_equal(out, images[:, k]) and np.array_equal(moved, corners)
        warped, moved = augment_batch(images[:, k], corners, np.random.default_rng([seed, 7]), strength=1.0)
        ys, xs = np.mgrid[0:SIZE_WH[1], 0:SIZE_WH[0]] + 0.5
        for b in range(8):
            weight = warped[b, ..., 1].astype(float)  # light and noise change it a little, not its centre
            near = np.hypot(xs - moved[b, k, 0], ys - moved[b, k, 1]) < 6
            centre = np.array([(weight * xs)[near].sum(), (weight * ys)[near].sum()]) / weight[near].sum()
            assert np.linalg.norm(centre - moved[b, k]) < 0.6, (b, k, centre, moved[b, k])


def test_corners_that_were_inside_stay_inside():
    images = np.full((64, SIZE_WH[1], SIZE_WH[0], 3), 120, np.uint8)
    edge = np.array([[0.5, 0.5], [95.5, 0.5], [95.5, 63.5], [0.5, 63.5]])  # a box at the image's edges
    out, moved = augment_batch(images, np.tile(edge, (64, 1, 1)), np.random.default_rng(0), strength=2.0)
    assert ((moved >= 0) & (moved <= SIZE_WH)).all()
    assert out.shape == images.shape and out.dtype == np.uint8
