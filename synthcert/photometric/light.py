"""Photometric effects of the light: uneven light and shadow, laminate glare, vignetting, colour and exposure.

Photometric stage: pixels in, pixels out; these functions never see labels and never move a pixel. Each
effect is a frozen params class, a `sample_*(rng, strength, frame)` that draws it from an explicit
generator, and a pure `apply_*(image, params)`; `synthcert.photometric.stage.EFFECTS` lists them once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import draws
from synthcert.photometric import effects
from synthcert.photometric.effects import EffectFrame


@dataclass(frozen=True)
class LightingParams:
    """Uneven light: a linear fall-off, a pool of shade and a soft shadow; None where a part is absent.

    See `effects.lighting_gain` for what each tuple holds.
    """

    gradient: tuple[float, float] | None = None
    spot: tuple[float, float, float, float] | None = None
    shadow: tuple[tuple[tuple[float, float], ...], float, float] | None = None  # polygon as plain tuples


def sample_lighting(rng: np.random.Generator, strength: float, frame: EffectFrame) -> LightingParams:
    """Draws uneven light: a fall-off, a pool of shade and a shadow, each with its own chance."""
    gradient = spot = shadow = None
    if rng.random() < 0.6:
        gradient = (draws.uniform(rng, 0, 360), _uniform(rng, 0.02, 0.15, strength, cap=0.2))
    if rng.random() < 0.4:
        spot = (rng.random(), rng.random(), draws.uniform(rng, 0.2, 0.6), _uniform(rng, 0.02, 0.12, strength, cap=0.2))
    if rng.random() < 0.3:
        # A star-shaped blob around a random centre (angles sorted, so it never crosses itself), like
        # the shadow of a hand or a phone; often partly off the image.
        angles = np.sort(rng.uniform(0, 2 * np.pi, 5))
        radii = rng.uniform(0.25, 0.7, (5, 1))
        polygon = rng.uniform(0, 1, 2) + np.column_stack([np.cos(angles), np.sin(angles)]) * radii
        intensity = _uniform(rng, 0.1, 0.35, strength)
        shadow = (tuple(map(tuple, polygon.tolist())), intensity, draws.uniform(rng, 2.0, 24.0))
    return LightingParams(gradient, spot, shadow)


def apply_lighting(image: np.ndarray, params: LightingParams) -> np.ndarray:
    """Multiplies an (H, W, 3) uint8 image by the coarse gain field of `params`."""
    if params.gradient is None and params.spot is None and params.shadow is None:
        return image
    shadow = None if params.shadow is None else (np.asarray(params.shadow[0]), *params.shadow[1:])
    gain = effects.lighting_gain(image.shape[:2], params.gradient, params.spot, shadow)
    return effects.apply_gain(image, gain)


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


def sample_glare(rng: np.random.Generator, strength: float, frame: EffectFrame) -> GlareParams:
    """Draws a laminate highlight, centred on the document when its corners are known."""
    w, h = frame.size_wh
    centre = frame.point_on_sheet(rng)
    size = float(min(w, h))
    major = draws.uniform(rng, 0.1, 0.45) * size
    warm = draws.uniform(rng, 0, 1)
    return GlareParams(
        centre_xy=tuple(float(v) for v in centre), angle_deg=draws.uniform(rng, 0, 180),
        sigma_major_px=major, sigma_minor_px=major * draws.uniform(rng, 0.12, 0.5),
        intensity=_uniform(rng, 0.3, 0.9, strength),
        light_rgb=(255.0, 255.0 - 15 * warm, 255.0 - 40 * warm),
    )


def apply_glare(image: np.ndarray, params: GlareParams) -> np.ndarray:
    """Adds the highlight: pixels move towards `light_rgb` by a Gaussian weight; the core saturates.

    Only the streak's box is computed: beyond `reach` sigmas its share rounds to zero. The Gaussian is
    exp of a quadratic form on the coarse grid of the box (a row, a column and one product).

    Example:
        >>> grey = np.full((16, 16, 3), 100, np.uint8)
        >>> int(apply_glare(grey, GlareParams((8.0, 8.0), 0.0, 4.0, 2.0, 1.0))[8, 8, 0])
        255
    """
    h, w = image.shape[:2]
    peak = 1.6 * params.intensity  # 1.6: a burnt-out core
    if peak * 510 < 1:  # the share rounds to zero everywhere
        return image
    reach = math.sqrt(2 * math.log(510 * peak))  # sigmas where peak * weight falls to half a grey level
    a = math.radians(params.angle_deg)
    c, s = math.cos(a), math.sin(a)
    major, minor = params.sigma_major_px, params.sigma_minor_px
    cx, cy = params.centre_xy
    half_w, half_h = reach * math.hypot(major * c, minor * s), reach * math.hypot(major * s, minor * c)
    x0, y0 = max(int(cx - half_w), 0), max(int(cy - half_h), 0)
    x1, y1 = min(math.ceil(cx + half_w), w), min(math.ceil(cy + half_h), h)
    if x1 <= x0 or y1 <= y0:
        return image
    xs, ys = effects.coarse_grid(x1 - x0, y1 - y0, effects.step_for(minor))
    dx, dy = xs - np.float32(cx - x0), ys - np.float32(cy - y0)
    # -0.5 * ((along / major)^2 + (across / minor)^2) = ex * dx^2 + ey * dy^2 + exy * dx * dy
    ia, ib = 0.5 / major**2, 0.5 / minor**2
    exponent = (np.float32(2 * c * s * (ib - ia)) * dy) * dx
    exponent += np.float32(-(ia * c * c + ib * s * s)) * dx**2
    exponent += np.float32(-(ia * s * s + ib * c * c)) * dy**2
    share = cv2.convertScaleAbs(cv2.exp(exponent), alpha=255.0 * peak)  # rounded, saturated: min(peak * w, 1)
    result = image.copy()
    box = np.s_[y0:y1, x0:x1]
    result[box] = effects.blend(image[box], params.light_rgb, effects.upsample(share, (x1 - x0, y1 - y0)))
    return result


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


def sample_vignette(rng: np.random.Generator, strength: float, frame: EffectFrame) -> VignetteParams:
    """Draws a vignette with its centre near the image centre."""
    return VignetteParams(
        centre_xy=(draws.uniform(rng, 0.4, 0.6), draws.uniform(rng, 0.4, 0.6)),
        strength=_uniform(rng, 0.1, 0.5, strength, cap=0.9),
        radius=draws.uniform(rng, 0.9, 1.3),
        power=draws.uniform(rng, 1.5, 3.0),
    )


def apply_vignette(image: np.ndarray, params: VignetteParams) -> np.ndarray:
    """Darkens an (H, W, 3) uint8 image towards its corners; returns a new image.

    Example:
        >>> out = apply_vignette(np.full((8, 8, 3), 200, np.uint8), VignetteParams(strength=0.5))
        >>> int(out[4, 4, 0]) > int(out[0, 0, 0])
        True
    """
    h, w = image.shape[:2]
    reach = 0.5 * np.hypot(w, h) * params.radius
    # The fall-off spans the image: a grid step of a tenth of its reach is as fine at any output size.
    xs, ys = effects.coarse_grid(w, h, effects.step_for(0.1 * reach))
    cx, cy = params.centre_xy[0] * w, params.centre_xy[1] * h
    r = np.hypot(xs - cx, ys - cy) / np.float32(reach)
    gain = 1.0 - params.strength * np.minimum(r, 1.5) ** params.power
    return effects.apply_gain(image, effects.upsample(effects.to_gain(gain), (w, h)))


# A black body's (R, G, B) chromaticity coefficients every 500 K: the figures of albumentations' planckian_jitter
# (`PLANCKIAN_COEFFS["blackbody"]`, which a test compares with these), written out so that rendering does not
# import albumentations (and SciPy under it): a second of every render process's start.
_BLACKBODY = {
    3000: (0.6743, 0.4029, 0.0013), 3500: (0.6281, 0.4241, 0.1665), 4000: (0.5919, 0.4372, 0.2513),
    4500: (0.5623, 0.4457, 0.3154), 5000: (0.5376, 0.4515, 0.3672), 5500: (0.5163, 0.4555, 0.4103),
    6000: (0.4979, 0.4584, 0.4468), 6500: (0.4816, 0.4604, 0.4782), 7000: (0.4672, 0.4619, 0.5053),
    7500: (0.4542, 0.463, 0.5289), 8000: (0.4426, 0.4638, 0.5497), 8500: (0.432, 0.4644, 0.5681),
    9000: (0.4223, 0.4648, 0.5844), 9500: (0.4135, 0.4651, 0.599), 10000: (0.4054, 0.4653, 0.6121),
    10500: (0.398, 0.4654, 0.6239), 11000: (0.3911, 0.4655, 0.6346), 11500: (0.3847, 0.4656, 0.6444),
    12000: (0.3787, 0.4656, 0.6532), 12500: (0.3732, 0.4656, 0.6613), 13000: (0.368, 0.4655, 0.6688),
    13500: (0.3632, 0.4655, 0.6756), 14000: (0.3586, 0.4655, 0.682), 14500: (0.3544, 0.4654, 0.6878),
    15000: (0.3503, 0.4653, 0.6933),
}
_KELVIN_RANGE = (min(_BLACKBODY), max(_BLACKBODY))
_RAMP = np.arange(256, dtype=np.float32)
_RAMP64 = np.arange(256, dtype=np.float64)


@dataclass(frozen=True)
class ColourTemperatureParams:
    """White balance that missed: the colour of a black body at `temperature_k` (6000 K looks neutral)."""

    temperature_k: int


def sample_colour_temperature(rng: np.random.Generator, strength: float, frame: EffectFrame,
                              ) -> ColourTemperatureParams:
    """Draws a temperature near daylight, warm more often than cold, as phones balance towards neutral."""
    if rng.random() < 0.4:
        t = 6000 - abs(rng.normal(0, 1000 * strength))
    else:
        t = 6000 + abs(rng.normal(0, 3000 * strength))
    return ColourTemperatureParams(int(min(max(t, 3000), 15000)))


def apply_colour_temperature(image: np.ndarray, params: ColourTemperatureParams) -> np.ndarray:
    """Tints an RGB uint8 image like light of `temperature_k` (albumentations' black-body table)."""
    return effects.apply_tables(image, colour_temperature_tables(params))


def colour_temperature_tables(params: ColourTemperatureParams) -> np.ndarray:
    """The tint as (3, 256) uint8 tables (`effects.apply_tables`): the bytes of albumentations'
    `planckian_jitter` (black body).

    albumentations multiplies red and blue by their black-body coefficient over green's, interpolated
    between the 500 K entries of its table, in float32 and truncated; green is kept. Done here on a ramp:
    its own call costs 0.1 ms, ten times this.
    """
    t = min(max(params.temperature_k, _KELVIN_RANGE[0]), _KELVIN_RANGE[1])
    left, right = max(t // 500 * 500, _KELVIN_RANGE[0]), min((t // 500 + 1) * 500, _KELVIN_RANGE[1])
    if left == right:
        coeffs = [float(c) for c in _BLACKBODY[left]]
    else:  # float64 in Python, as albumentations' NumPy arrays compute it
        share = (t - left) / (right - left)
        coeffs = [(1 - share) * a + share * b for a, b in zip(_BLACKBODY[left], _BLACKBODY[right], strict=True)]
    gains = np.array([[coeffs[0] / coeffs[1]], [1.0], [coeffs[2] / coeffs[1]]], np.float32)
    # gains > 0: only the top can clip.
    return np.minimum(np.multiply(gains, _RAMP), 255, out=np.empty((3, 256), np.float32)).astype(np.uint8)


@dataclass(frozen=True)
class ExposureParams:
    """Brightness and contrast: out = contrast * in + brightness * 255, clipped."""

    contrast: float
    brightness: float


def sample_exposure(rng: np.random.Generator, strength: float, frame: EffectFrame) -> ExposureParams:
    """Draws a brightness and contrast change of up to 20 % (at strength 1)."""
    limit = min(0.2 * strength, 1.0)
    return ExposureParams(1.0 + draws.uniform(rng, -limit, limit), draws.uniform(rng, -limit, limit))


def apply_exposure(image: np.ndarray, params: ExposureParams) -> np.ndarray:
    """Applies the change through one 256-entry lookup table."""
    return effects.apply_tables(image, exposure_tables(params))


def exposure_tables(params: ExposureParams) -> np.ndarray:
    """The change as (3, 256) uint8 tables (`effects.apply_tables`), one for all channels (rounded half up,
    clipped)."""
    lut = effects.clip_to_uint8(_RAMP64 * params.contrast + 255 * params.brightness + 0.5)
    return np.repeat(lut[None], 3, axis=0)


def _uniform(rng: np.random.Generator, lo: float, hi: float, strength: float, cap: float = 1.0) -> float:
    """A draw from [lo, hi] scaled by the preset's strength, never above `cap`."""
    return draws.uniform(rng, min(lo * strength, cap), min(hi * strength, cap))
