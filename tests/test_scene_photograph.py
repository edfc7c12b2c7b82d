"""Tests of synthcert.scene.photograph: one RGBA warp over the box the sheet reaches, with an antialiased edge."""

from __future__ import annotations

import numpy as np
import pytest

from synthcert import geometry
from synthcert.scene.photograph import photograph
from tests.oracles import warp_layer

DOC = np.random.default_rng([1, 2]).integers(0, 256, (80, 120, 3), dtype=np.uint8)
BACKGROUND = np.full((100, 160, 3), 90, np.uint8)


def _reference(document, image_from_pixels, background):
    """The composite warped over the whole frame, channel by channel, with an independently warped coverage."""
    size_wh = background.shape[1], background.shape[0]
    coverage = warp_layer(np.full(document.shape[:2], 255, np.uint8), image_from_pixels, size_wh).astype(float)
    ink = np.stack([warp_layer(document[..., c], image_from_pixels, size_wh) for c in range(3)], axis=2)
    return ink + background * (1 - coverage[..., None] / 255)


CAMERAS = {
    "rotated": geometry.translation(80, 50) @ geometry.rotation(20) @ geometry.scaling(0.9)
    @ geometry.translation(-60, -40),
    "perspective": np.array([[0.8, 0.1, 20.0], [0.05, 0.9, 10.0], [0.001, 0.0005, 1.0]]),
    "partly_outside": geometry.translation(110, -20) @ geometry.scaling(1.1),
}


@pytest.mark.parametrize("name", CAMERAS)
def test_composite_matches_a_full_frame_warp_within_a_grey_level(name):
    out = photograph(DOC, CAMERAS[name], BACKGROUND)
    assert out.shape == BACKGROUND.shape and out.dtype == np.uint8
    assert np.abs(out.astype(float) - _reference(DOC, CAMERAS[name], BACKGROUND)).max() <= 1.5


def test_sheet_wholly_outside_the_frame_leaves_the_background():
    out = photograph(DOC, geometry.translation(500, 500), BACKGROUND)
    np.testing.assert_array_equal(out, BACKGROUND)
    assert out is not BACKGROUND


def test_sheet_partly_behind_the_camera_still_warps_what_is_in_front():
    behind = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-0.02, 0.0, 1.0]])  # w <= 0 for x >= 50
    out = photograph(DOC, behind, BACKGROUND)
    assert np.abs(out[:40, :40].astype(float) - _reference(DOC, behind, BACKGROUND)[:40, :40]).max() <= 1.5
