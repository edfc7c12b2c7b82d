"""Pixel maths shared by the photometric effects: pure functions, no sampling, and labels are never seen.

Each effect runs at the output size in a few 8-bit OpenCV calls. Light and shadow have no detail finer
than a few pixels, so their gain is computed on a coarse grid and upsampled; sensor noise is cut from a
bank generated once per output size, so a sample pays for a crop and an add, not for random numbers.
Effects that map every channel's values on their own (white balance, casts, exposure) are 256-entry tables,
which compose exactly: the stage applies a run of them in one pass (`compose_tables`, `apply_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from albucore import sz_lut

from synthcert import draws
from synthcert.rng import stream_rng

GAIN_ONE = 128  # an 8-bit gain field stores gain * GAIN_ONE, so gains up to 2 fit
CELL_PX = 8  # output pixels per cell of the coarse lighting grid
NOISE_SIGMA = 32.0  # standard deviation of the noise bank, in bank units
NOISE_ZERO = 128  # the bank stores noise + 128 as uint8: OpenCV adds two uint8 images 5x faster than mixed types


@dataclass(frozen=True)
class EffectFrame:
    """What an effect's sampler may know of the photo besides its generator: size and where the sheet lies.

    Attributes:
        size_wh: output image size (W, H).
        sheet_xy: (4, 2) float64 document corners TL, TR, BR, BL in the image (COCO), or None.
    """

    size_wh: tuple[int, int]
    sheet_xy: np.ndarray | None = None

    def point_on_sheet(self, rng: np.random.Generator) -> np.ndarray:
        """A random point of the sheet (a random convex combination of its corners), or of the image when the
        sheet is unknown: where an effect of the sheet is centred."""
        if self.sheet_xy is None:
            return rng.uniform([0, 0], self.size_wh)
        return draws.point_in(rng, np.asarray(self.sheet_xy, np.float64).reshape(4, 2))


def lighting_gain(
    shape_hw: tuple[int, int],
    gradient: tuple[float, float] | None = None,
    spot: tuple[float, float, float, float] | None = None,
    shadow: tuple[np.ndarray, float, float] | None = None,
) -> np.ndarray:
    """Returns the (H, W) uint8 gain field (gain * GAIN_ONE) of uneven light and one soft shadow.

    Args:
        shape_hw: output image shape (H, W).
        gradient: (angle_deg, intensity): light falls off linearly along `angle_deg`, from 1 + intensity
            at one side of the image to 1 - intensity at the other.
        spot: (x, y, radius, intensity): a Gaussian pool of shade centred at (x, y) (fractions of W and H)
            with `radius` a fraction of H, darkening its centre by `intensity`.
        shadow: (polygon_xy, intensity, softness_px): polygon_xy (K, 2) float in fractions of W and H,
            darkened by `intensity`, with edges blurred over about `softness_px` output pixels.

    Returns:
        (H, W) uint8; multiply an image by it with `apply_gain`.

    Example:
        >>> lighting_gain((16, 64), gradient=(0.0, 0.5))[8, [0, 63]].tolist()
        [72, 184]
    """
    h, w = shape_hw
    # Cell centres in fractions of the image, as cv2.resize places them when it upsamples the grid.
    u, v = _cell_centres(-(-w // CELL_PX)), _cell_centres(-(-h // CELL_PX))
    factors = []
    if gradient is not None:
        angle_deg, intensity = gradient
        c, s = np.cos(np.deg2rad(angle_deg)), np.sin(np.deg2rad(angle_deg))
        reach = 0.5 * (abs(c) + abs(s))  # the projection of a corner: gain hits 1 +- intensity there
        factors.append(1 + intensity / reach * np.add.outer((v - 0.5) * s, (u - 0.5) * c))
    if spot is not None:
        x, y, radius, intensity = spot
        d2 = np.add.outer(((v - y) / radius) ** 2, ((u - x) * (w / h) / radius) ** 2)
        factors.append(1 - intensity * np.exp(-0.5 * d2))
    if shadow is not None:
        polygon_xy, intensity, softness_px = shadow
        mask = np.zeros((v.size, u.size), np.uint8)
        cv2.fillPoly(mask, [np.round(polygon_xy * (u.size, v.size) * 16).astype(np.int32)], 255, cv2.LINE_AA,
                     shift=4)
        sigma = softness_px / CELL_PX
        if sigma > 0.3:
            mask = cv2.GaussianBlur(mask, (0, 0), sigma)
        factors.append(1 - intensity / 255.0 * mask.astype(np.float32))
    # The product in float32, each factor multiplied in as NumPy casts it (the first is 1.0 times itself).
    gain = factors[0].astype(np.float32) if factors else np.ones((v.size, u.size), np.float32)
    for factor in factors[1:]:
        gain *= factor
    return cv2.resize(to_gain(gain), (w, h), interpolation=cv2.INTER_LINEAR)


@lru_cache(maxsize=16)
def _cell_centres(cells: int) -> np.ndarray:
    """The centres of `cells` equal cells spanning [0, 1], float32, cached, read-only."""
    centres = (np.arange(cells, dtype=np.float32) + 0.5) / cells
    centres.flags.writeable = False
    return centres


def to_gain(gain: np.ndarray) -> np.ndarray:
    """A float gain field as the uint8 field of `apply_gain` (gain * GAIN_ONE, rounded, clipped to [0, 255])."""
    return clip_to_uint8(gain * GAIN_ONE + 0.5)


def clip_to_uint8(field: np.ndarray) -> np.ndarray:
    """A new float field clipped to [0, 255] in place and truncated to uint8 (np.clip's values, without its
    Python-level dispatch)."""
    return np.minimum(np.maximum(field, 0, out=field), 255, out=field).astype(np.uint8)


def apply_gain(image: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Multiplies an (H, W, 3) uint8 image by an (H, W) uint8 gain field from `lighting_gain`."""
    return cv2.multiply(image, cv2.cvtColor(gain, cv2.COLOR_GRAY2RGB), scale=1.0 / GAIN_ONE)


IDENTITY_TABLE = np.arange(256, dtype=np.uint8)
IDENTITY_TABLE.flags.writeable = False


def apply_tables(image: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """Maps every channel of an (H, W, 3) uint8 image through its own table; returns a new image.

    Args:
        image: (H, W, 3) uint8.
        tables: (3, 256) uint8: out[..., c] = tables[c, image[..., c]].

    albumentations' byte translation (`albucore.sz_lut`) is 2.5x as fast as cv2.LUT; one table shared by
    all channels needs no split, and a channel whose table is the identity is not looked up. The tables
    are compared as bytes: a few microseconds fewer than NumPy comparisons, on every table effect.

    Example:
        >>> inverted = np.repeat(IDENTITY_TABLE[None, ::-1], 3, axis=0)
        >>> apply_tables(np.zeros((2, 2, 3), np.uint8), inverted)[0, 0].tolist()
        [255, 255, 255]
    """
    tables = np.ascontiguousarray(tables)  # the translation reads each row as bytes
    rows = tables.tobytes()
    if rows[:256] == rows[256:512] == rows[512:]:
        return sz_lut(image, tables[0], inplace=False)
    channels = split_channels(image)  # fresh arrays: looked up in place
    for c in range(3):
        if rows[256 * c:256 * (c + 1)] != _IDENTITY_BYTES:
            channels[c] = sz_lut(channels[c], tables[c], inplace=True)
    return cv2.merge(channels)


def split_channels(image: np.ndarray) -> list[np.ndarray]:
    """The channels of an (H, W, C) uint8 image as C new contiguous (H, W) arrays: `cv2.split`'s bytes.

    Split into arrays made here: the ones OpenCV makes itself are copied once more on their way back to
    Python (a list of images), which makes it three times as slow.
    """
    h, w, c = image.shape
    return list(cv2.split(image, [np.empty((h, w), np.uint8) for _ in range(c)]))


def compose_tables(first: np.ndarray, then: np.ndarray) -> np.ndarray:
    """The (3, 256) uint8 tables of applying `first` and then `then`: exact, as both map uint8 to uint8."""
    return np.ascontiguousarray(then).ravel().take(first + _ROW_OFFSETS)  # then[c, first[c, v]]


_IDENTITY_BYTES = IDENTITY_TABLE.tobytes()
_ROW_OFFSETS = (np.arange(3, dtype=np.intp) * 256)[:, None]  # row c of (3, 256) tables starts at 256 * c


@lru_cache(maxsize=8)
def noise_bank(shape_hw: tuple[int, int], mono: bool) -> np.ndarray:
    """Returns a (2H, 2W, 3) uint8 field of sensor-like noise: NOISE_ZERO + noise of deviation NOISE_SIGMA;
    `mono` noise, the same in all channels, as its one channel (2H, 2W).

    Made once per output shape from a fixed stream. Demosaicing and denoising leave a phone's noise
    slightly grainy, so the field is smoothed a little. A mono crop is spread over the channels when it is
    used (`cv2.COLOR_GRAY2RGB`): a third of the bank to read, which is out of the cache by then.
    """
    h, w = 2 * shape_hw[0], 2 * shape_hw[1]
    rng = stream_rng(0, int(mono), "noise-bank")
    field = rng.standard_normal((h, w) if mono else (h, w, 3), dtype=np.float32)
    field = cv2.GaussianBlur(field, (0, 0), 0.6)
    field *= NOISE_SIGMA / field.std()
    bank = np.clip(np.round(field) + NOISE_ZERO, 0, 255).astype(np.uint8)
    return bank


def add_noise(image: np.ndarray, noise: np.ndarray, std: float) -> np.ndarray:
    """Adds `noise` (a crop of `noise_bank`, shaped like `image`) scaled to `std` grey levels; (H, W, 3) uint8."""
    scale = std / NOISE_SIGMA
    return cv2.addWeighted(image, 1.0, noise, scale, -NOISE_ZERO * scale)


@lru_cache(maxsize=32)
def coarse_grid(w: int, h: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (COCO) of a grid every `step` pixels covering a W x H image, as a (1, gw) row of
    x and a (gh, 1) column of y that broadcast to the grid; float32, cached, read-only.

    A smooth field evaluated on it and brought to size with `upsample` costs step^2 times fewer float
    operations than per pixel; each effect picks the largest step its finest detail allows.
    """
    gw, gh = -(-w // step), -(-h // step)
    xs = ((np.arange(gw, dtype=np.float32) + 0.5) * np.float32(w / gw))[None, :]
    ys = ((np.arange(gh, dtype=np.float32) + 0.5) * np.float32(h / gh))[:, None]
    xs.flags.writeable = ys.flags.writeable = False
    return xs, ys


def step_for(sigma_px: float) -> int:
    """The coarse grid step for a field whose finest Gaussian has `sigma_px`: half of it (the bilinear
    upsampling then stays within about 3 % of the field's peak), at least 1 and at most CELL_PX."""
    return int(min(max(sigma_px // 2, 1), CELL_PX))


def upsample(field: np.ndarray, size_wh: tuple[int, int]) -> np.ndarray:
    """A coarse (gh, gw) field from `coarse_grid` brought to the output size (bilinear)."""
    return cv2.resize(field, size_wh, interpolation=cv2.INTER_LINEAR)


def blend(image: np.ndarray, target, share: np.ndarray) -> np.ndarray:
    """Returns image * (1 - share) + target * share in 8-bit OpenCV calls (a few times faster than float).

    Args:
        image: (H, W, 3) uint8.
        target: an (H, W, 3) uint8 image or an (R, G, B) colour.
        share: (H, W) uint8, share * 255.
    """
    # Inverted before it is spread over the channels: a third of the work, and a grey-to-colour conversion
    # spreads it faster than a merge.
    kept = cv2.multiply(image, cv2.cvtColor(cv2.bitwise_not(share), cv2.COLOR_GRAY2RGB), scale=1 / 255.0)
    if isinstance(target, np.ndarray):
        return cv2.add(kept, cv2.multiply(target, cv2.cvtColor(share, cv2.COLOR_GRAY2RGB), scale=1 / 255.0))
    if not any(target):  # black: nothing to add
        return kept
    # The colour rounded to 8 bits, as an image of it holds it: the spread share times a scalar is the same
    # multiply, and cheaper than three tables of the share and a merge.
    colour = (*(round(c) for c in target), 0)
    return cv2.add(kept, cv2.multiply(cv2.cvtColor(share, cv2.COLOR_GRAY2RGB), colour, scale=1 / 255.0))


def to_share(field: np.ndarray) -> np.ndarray:
    """A float field in [0, 1] as the uint8 `share` of `blend` (share * 255, rounded)."""
    return clip_to_uint8(field * 255.0 + 0.5)
