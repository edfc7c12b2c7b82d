"""Photometric effects of a phone's processing: chromatic fringes, noise reduction, sharpening, colour casts,
and the strong JPEG of a messenger.

Photometric stage: pixels in, pixels out, never labels (chromatic fringes shift red and blue by under a
pixel about the image centre; the labels follow the geometry, which green, the brightest channel, keeps).
Each effect is a frozen params class, `sample_*(rng, strength, frame)` and a pure `apply_*(image, params)`,
listed once in `synthcert.photometric.stage.EFFECTS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import draws
from synthcert.photometric import effects
from synthcert.photometric.camera import JpegParams
from synthcert.photometric.effects import EffectFrame


@dataclass(frozen=True)
class ChromaticParams:
    """Lateral chromatic aberration: red is scaled by 1 + `shift_px` / r and blue by 1 - `shift_px` / r about the
    image centre, r being the half-diagonal: coloured fringes of up to `shift_px` pixels in the corners."""

    shift_px: float


def sample_chromatic(rng: np.random.Generator, strength: float, frame: EffectFrame) -> ChromaticParams:
    """Draws fringes of 0.3 to 1.2 px in the corners (at strength 1), red outwards or inwards."""
    return ChromaticParams(draws.uniform(rng, 0.3, 1.2) * strength * draws.choice(rng, (-1, 1)))


def apply_chromatic(image: np.ndarray, params: ChromaticParams) -> np.ndarray:
    """Scales the red and blue channels of an RGB uint8 image about its centre, green stays."""
    h, w = image.shape[:2]
    k = params.shift_px / (0.5 * float(np.hypot(w, h)))
    # OpenCV pixel centres: the image's centre is at ((w - 1) / 2, (h - 1) / 2).
    centre = ((w - 1) / 2, (h - 1) / 2)
    red, green, blue = effects.split_channels(image)
    scaled = [cv2.warpAffine(c, cv2.getRotationMatrix2D(centre, 0.0, 1.0 + s * k), (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE) for c, s in ((red, 1), (blue, -1))]
    return cv2.merge([scaled[0], green, scaled[1]])


@dataclass(frozen=True)
class DenoiseParams:
    """A phone's noise reduction: an edge-keeping (bilateral) smoothing that smears fine texture and thin
    strokes into flat patches; `sigma_colour` in grey levels, `diameter_px` odd."""

    diameter_px: int
    sigma_colour: float


def sample_denoise(rng: np.random.Generator, strength: float, frame: EffectFrame) -> DenoiseParams:
    """Draws a 3 or 5 px smoothing of 15 to 45 grey levels (at strength 1)."""
    return DenoiseParams(draws.choice(rng, (3, 5)), draws.uniform(rng, 15, 45) * strength)


def apply_denoise(image: np.ndarray, params: DenoiseParams) -> np.ndarray:
    """Smooths within regions of similar colour (cv2.bilateralFilter)."""
    return cv2.bilateralFilter(image, params.diameter_px, params.sigma_colour, params.diameter_px / 2)


@dataclass(frozen=True)
class SharpenParams:
    """Unsharp masking as phones overdo it: out = in + amount * (in - blur(in, sigma_px)), with bright and dark
    halos along every edge."""

    amount: float
    sigma_px: float


def sample_sharpen(rng: np.random.Generator, strength: float, frame: EffectFrame) -> SharpenParams:
    """Draws an amount of 0.3 to 1.5 (at strength 1) over a 0.7 to 2 px radius."""
    return SharpenParams(draws.uniform(rng, 0.3, 1.5) * strength, draws.uniform(rng, 0.7, 2.0))


def apply_sharpen(image: np.ndarray, params: SharpenParams) -> np.ndarray:
    """Unsharp mask in 8 bits: (1 + amount) * in - amount * blur, saturated.

    The blur is cv2.GaussianBlur's kernel (6 sigma + 1 taps, odd) as a separable float filter: within a grey
    level of GaussianBlur, whose bit-exact 8-bit path is 10 to 40 % slower at these sigmas.
    """
    kernel = cv2.getGaussianKernel(int(round(6 * params.sigma_px + 1)) | 1, params.sigma_px)
    blurred = cv2.sepFilter2D(image, -1, kernel, kernel)
    return cv2.addWeighted(image, 1.0 + params.amount, blurred, -params.amount, 0.0)


@dataclass(frozen=True)
class ColourCastParams:
    """A tint that is not a colour temperature: fluorescent green, magenta LEDs, a coloured room;
    one gain per channel (R, G, B)."""

    gain_rgb: tuple[float, float, float]


def sample_colour_cast(rng: np.random.Generator, strength: float, frame: EffectFrame) -> ColourCastParams:
    """Draws a tint along a random hue, of up to 12 % (at strength 1), brightness kept on average."""
    angle = draws.uniform(rng, 0, 2 * np.pi)
    amount = draws.uniform(rng, 0.03, 0.12) * strength
    # A direction in the plane of zero mean gain, in Python floats (NumPy's elementwise steps, in order).
    c, s = float(np.cos(angle)), float(np.sin(angle))
    direction = [c * gm + s * rb for gm, rb in _CAST_AXES]
    peak = max(abs(d) for d in direction)
    return ColourCastParams(tuple(1.0 + amount * d / peak for d in direction))


# Unit axes of the plane of zero mean gain, per channel: (green-magenta, red-blue).
_CAST_AXES = tuple(zip((np.array([1.0, -2.0, 1.0]) / np.sqrt(6)).tolist(),
                       (np.array([1.0, 0.0, -1.0]) / np.sqrt(2)).tolist(), strict=True))


def apply_colour_cast(image: np.ndarray, params: ColourCastParams) -> np.ndarray:
    """Multiplies each channel by its gain (one diagonal colour transform, rounded and saturated)."""
    return cv2.transform(image, np.diag(params.gain_rgb))  # alone, faster than its tables


def colour_cast_tables(params: ColourCastParams) -> np.ndarray:
    """The cast as (3, 256) uint8 tables (`effects.apply_tables`): OpenCV's diagonal transform of a grey
    ramp, whose every pixel it computes as in any image (each channel from its own value alone)."""
    return cv2.transform(_GREY_RAMP, np.diag(params.gain_rgb))[0].T


_GREY_RAMP = np.repeat(effects.IDENTITY_TABLE[None, :, None], 3, axis=2)  # (1, 256, 3): pixel v is (v, v, v)


def sample_strong_jpeg(rng: np.random.Generator, strength: float, frame: EffectFrame) -> JpegParams:
    """Draws a messenger's quality: 10 to 35 (lower with strength), after any other JPEG."""
    return JpegParams(int(rng.integers(max(int(35 - 25 * strength), 5), 36)))
