"""Tests of synthcert.scene.backgrounds: the procedural textures, pinned against the plain way of making them."""

from __future__ import annotations

import numpy as np
import pytest

from synthcert.errors import ConfigError
from synthcert.scene.backgrounds import VARIANTS, _papers, _smooth_noise, _texture

KINDS = ("plain", "noise", "wood", "fabric", "desk")


def _plain_texture(kind: str, variant: int, size_wh: tuple[int, int]) -> np.ndarray:
    """The texture from full (h, w) coordinate grids, the noise layers summed by sum() and clipped into a new array."""
    rng = np.random.default_rng([variant, sum(map(ord, kind))])
    w, h = int(size_wh[0] * 1.25), int(size_wh[1] * 1.25)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) / max(w, h)
    base = rng.uniform(40, 230, size=3).astype(np.float32)
    if kind == "plain":
        shade = 1 + 0.15 * (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1))
        image = base * shade[..., None] + _smooth_noise(rng, h, w, 4, 4)[..., None]
    elif kind == "noise":
        image = base + sum(_smooth_noise(rng, h, w, s, 40)[..., None] * rng.uniform(0.5, 1.5, 3) for s in (2, 8, 32))
    elif kind == "wood":
        base = np.array([rng.uniform(110, 190), rng.uniform(70, 120), rng.uniform(30, 70)], np.float32)
        warp = _smooth_noise(rng, h, w, 24, 3)
        rings = np.sin((yy * rng.uniform(30, 80) + warp) * np.pi) * 0.5 + 0.5
        image = base * (0.75 + 0.35 * rings[..., None]) + _smooth_noise(rng, h, w, 1, 8)[..., None]
    elif kind == "fabric":
        period = rng.uniform(3, 7)
        weave = np.sin(xx * max(w, h) * 2 * np.pi / period) * np.sin(yy * max(w, h) * 2 * np.pi / period)
        image = base * (0.85 + 0.15 * weave[..., None]) + _smooth_noise(rng, h, w, 16, 20)[..., None]
    else:
        image = base * (0.9 + 0.1 * yy[..., None]) + _smooth_noise(rng, h, w, 8, 6)[..., None]
        image = _papers(image, rng)
    return np.clip(image, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("size_wh", [(384, 256), (224, 224), (97, 61), (3, 700), (640, 480)])
def test_textures_are_the_plain_way_byte_for_byte(size_wh):
    for kind in KINDS:
        for variant in range(VARIANTS):
            made, plain = _texture.__wrapped__(kind, variant, size_wh), _plain_texture(kind, variant, size_wh)
            assert made.dtype == plain.dtype and made.shape == plain.shape, (kind, variant)
            assert made.tobytes() == plain.tobytes(), (kind, variant)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ConfigError, match="unknown background kind"):
        _texture.__wrapped__("marble", 0, (64, 48))
