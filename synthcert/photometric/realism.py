"""Photometric effects of phone photos that albumentations lacks: vignetting and laminate glare.

Photometric stage: pixels in, pixels out; these functions never see labels and never move a pixel. Each
effect is a frozen params object drawn by a `sample_*` function from an explicit generator, and a pure
`apply_*` function (image, params) -> image; the Renderer applies vignetting and glare (`photometric.vignette_p`,
`glare_p`). Uneven light and sensor noise are `photometric.transforms` (`Lighting`, `SensorNoise`); colour
temperature, sun flare, blur and JPEG come from albumentations (`photometric.presets`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class VignetteParams:
    """Lens vignetting: brightness falls off with the distance from `centre_xy`.

    Attributes:
        centre_xy: the optical centre as fractions of (W, H).
        strength: darkening at distance `radius` from the centre, in [0, 1).
        radius: distance where the darkening reaches `strength`, as a fraction of the half-diagonal.
        power: steepness of the fall-off (2: the cos^4-like falloff of most phone lenses).
    """

    centre_xy: tuple[float, float] = (0.5, 0.5)
    strength: float = 0.3
    radius: float = 1.0
    power: float = 2.0

    def __post_init__(self):
        if not 0 <= self.strength < 1 or self.radius <= 0 or self.power <= 0:
            raise ValueError(f"strength = {self.strength}, radius = {self.radius}, power = {self.power}; expected "
                             "0 <= strength < 1, radius > 0 and power > 0")


@dataclass(frozen=True)
class GlareParams:
    """A specular highlight on a laminated card: a soft elongated streak of the light source's colour.

    Attributes:
        centre_xy: centre of the streak in image pixels (COCO).
        angle_deg: direction of its long axis.
        sigma_major_px, sigma_minor_px: Gaussian extent along and across it.
        intensity: share of the way to `light_rgb` at the centre, in [0, 1].
        light_rgb: colour of the reflected light.
    """

    centre_xy: tuple[float, float]
    angle_deg: float
    sigma_major_px: float
    sigma_minor_px: float
    intensity: float
    light_rgb: tuple[float, float, float] = (255.0, 255.0, 250.0)

    def __post_init__(self):
        if not 0 <= self.intensity <= 1 or min(self.sigma_major_px, self.sigma_minor_px) <= 0:
            raise ValueError(f"intensity = {self.intensity}, sigmas = {self.sigma_major_px}, {self.sigma_minor_px}; "
                             "expected intensity in [0, 1] and sigmas > 0")


def sample_vignette(rng: np.random.Generator, strength_range: tuple[float, float] = (0.1, 0.5)) -> VignetteParams:
    """Draws a vignette with its centre near the image centre."""
    return VignetteParams(
        centre_xy=tuple(float(v) for v in rng.uniform(0.4, 0.6, 2)),
        strength=float(rng.uniform(*strength_range)),
        radius=float(rng.uniform(0.9, 1.3)),
        power=float(rng.uniform(1.5, 3.0)),
    )


def apply_vignette(image: np.ndarray, params: VignetteParams) -> np.ndarray:
    """Darkens an (H, W, 3) uint8 image towards its corners; returns a new image.

    Example:
        >>> out = apply_vignette(np.full((8, 8, 3), 200, np.uint8), VignetteParams(strength=0.5))
        >>> int(out[4, 4, 0]) > int(out[0, 0, 0])
        True
    """
    h, w = image.shape[:2]
    xs, ys = _coarse_grid(w, h)
    cx, cy = params.centre_xy[0] * w, params.centre_xy[1] * h
    r = np.hypot(xs - cx, ys - cy) / (0.5 * np.hypot(w, h) * params.radius)
    gain = 1.0 - params.strength * np.minimum(r, 1.5) ** params.power
    return _scale(image, _full_size(np.clip(gain, 0, 1), w, h)[..., None])


def sample_glare(
    rng: np.random.Generator, image_size_wh: tuple[int, int], document_quad_xy: np.ndarray | None = None,
    intensity_range: tuple[float, float] = (0.3, 0.9),
) -> GlareParams:
    """Draws a laminate highlight, centred on the document when its (4, 2) corners in the image are given."""
    w, h = image_size_wh
    if document_quad_xy is not None:
        centre = rng.dirichlet(np.ones(4)) @ np.asarray(document_quad_xy, np.float64).reshape(4, 2)
    else:
        centre = rng.uniform([0, 0], [w, h])
    size = float(min(w, h))
    major = float(rng.uniform(0.1, 0.45) * size)
    warm = float(rng.uniform(0, 1))
    return GlareParams(
        centre_xy=tuple(float(v) for v in centre), angle_deg=float(rng.uniform(0, 180)),
        sigma_major_px=major, sigma_minor_px=float(major * rng.uniform(0.12, 0.5)),
        intensity=float(rng.uniform(*intensity_range)),
        light_rgb=(255.0, 255.0 - 15 * warm, 255.0 - 40 * warm),
    )


def apply_glare(image: np.ndarray, params: GlareParams) -> np.ndarray:
    """Adds the highlight: pixels move towards `light_rgb` by a Gaussian weight; the core saturates."""
    h, w = image.shape[:2]
    xs, ys = _coarse_grid(w, h)
    a = np.deg2rad(params.angle_deg)
    dx, dy = xs - params.centre_xy[0], ys - params.centre_xy[1]
    along, across = dx * np.cos(a) + dy * np.sin(a), -dx * np.sin(a) + dy * np.cos(a)
    weight = np.exp(-0.5 * ((along / params.sigma_major_px) ** 2 + (across / params.sigma_minor_px) ** 2))
    weight = _full_size(np.clip(1.6 * params.intensity * weight, 0, 1), w, h)[..., None]  # a burnt-out core
    out = image.astype(np.float32) * (1 - weight) + np.array(params.light_rgb, np.float32) * weight
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


COARSE_STEP = 2  # both fields are smooth at this scale; evaluating them per pixel cost several ms an image


def _coarse_grid(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (COCO) of a grid every COARSE_STEP pixels covering a W x H image."""
    gw, gh = -(-w // COARSE_STEP), -(-h // COARSE_STEP)
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
    return (xs + 0.5) * (w / gw), (ys + 0.5) * (h / gh)


def _full_size(field: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.resize(field.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def _scale(image: np.ndarray, gain: np.ndarray) -> np.ndarray:
    return np.clip(image.astype(np.float32) * gain + 0.5, 0, 255).astype(np.uint8)
