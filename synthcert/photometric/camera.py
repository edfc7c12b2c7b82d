"""Photometric effects of the camera: blur, sensor noise, downscaling and JPEG compression.

Photometric stage: pixels in, pixels out, never labels. Each effect is a frozen params class, a
`sample_*(rng, strength, frame)` drawing it from an explicit generator and a pure `apply_*(image, params)`;
`synthcert.photometric.stage.EFFECTS` lists them once. All of them run at the output size in a few
8-bit OpenCV calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import draws
from synthcert.photometric import effects
from synthcert.photometric.effects import EffectFrame

BLUR_KINDS = ("motion", "box", "gaussian")


@dataclass(frozen=True)
class BlurParams:
    """Hand shake (`motion`, a line kernel at `angle_deg`) or defocus (`box`, `gaussian`); `kernel_px` odd."""

    kind: str
    kernel_px: int
    angle_deg: float = 0.0

    def __post_init__(self):
        if self.kind not in BLUR_KINDS or self.kernel_px < 1 or self.kernel_px % 2 == 0:
            raise ValueError(f"kind = {self.kind!r}, kernel_px = {self.kernel_px}; expected one of "
                             f"{', '.join(BLUR_KINDS)} and an odd kernel >= 1")


def sample_blur(rng: np.random.Generator, strength: float, frame: EffectFrame) -> BlurParams:
    """Draws a blur of 3 px up to 2 * round(2 * strength) + 1 px (5 px at strength 1)."""
    largest = max(3, int(2 * round(2 * strength) + 1))
    kind = BLUR_KINDS[int(rng.integers(len(BLUR_KINDS)))]
    return BlurParams(kind, int(2 * rng.integers(1, largest // 2 + 1) + 1), draws.uniform(rng, 0, 180))


def apply_blur(image: np.ndarray, params: BlurParams) -> np.ndarray:
    """Blurs an (H, W, 3) uint8 image; the kernel is centred, so nothing moves on average.

    Example:
        >>> edge = np.zeros((9, 9, 3), np.uint8); edge[:, 5:] = 255
        >>> int(apply_blur(edge, BlurParams("box", 3))[4, 4, 0])
        85
    """
    k = params.kernel_px
    if params.kind == "box":
        return cv2.blur(image, (k, k))
    if params.kind == "gaussian":
        return cv2.GaussianBlur(image, (k, k), 0)
    kernel = np.zeros((k, k), np.float32)
    a = np.deg2rad(params.angle_deg)
    r = (k - 1) / 2
    dx, dy = r * np.cos(a), r * np.sin(a)
    cv2.line(kernel, (round(r - dx), round(r - dy)), (round(r + dx), round(r + dy)), 1.0, 1, cv2.LINE_AA)
    return cv2.filter2D(image, -1, kernel / kernel.sum())


@dataclass(frozen=True)
class NoiseParams:
    """Sensor noise of `std` grey levels, in colour or in brightness only (`mono`), cut from the noise bank
    at `offset_xy`."""

    std: float
    mono: bool
    offset_xy: tuple[int, int]


def sample_noise(rng: np.random.Generator, strength: float, frame: EffectFrame) -> NoiseParams:
    """Draws noise of 1-5 % of 255 (at strength 1), half of the time the same in all channels."""
    w, h = frame.size_wh
    std = 255.0 * draws.uniform(rng, min(0.01 * strength, 1.0), min(0.05 * strength, 1.0))
    return NoiseParams(std, bool(rng.random() < 0.5), (int(rng.integers(w + 1)), int(rng.integers(h + 1))))


def apply_noise(image: np.ndarray, params: NoiseParams) -> np.ndarray:
    """Adds the noise: a crop of the cached bank (mono: spread over the channels) and one weighted add."""
    h, w = image.shape[:2]
    x, y = params.offset_xy
    noise = effects.noise_bank((h, w), params.mono)[y:y + h, x:x + w]
    if params.mono:
        noise = cv2.cvtColor(noise, cv2.COLOR_GRAY2RGB)
    return effects.add_noise(image, noise, params.std)


@dataclass(frozen=True)
class DownscaleParams:
    """A photo taken smaller and enlarged again (a phone's digital zoom, a messenger's resize): `scale` < 1."""

    scale: float

    def __post_init__(self):
        if not 0 < self.scale <= 1:
            raise ValueError(f"scale = {self.scale}; expected 0 < scale <= 1")


def sample_downscale(rng: np.random.Generator, strength: float, frame: EffectFrame) -> DownscaleParams:
    """Draws a scale between max(0.9 - 0.35 * strength, 0.3) and 0.9."""
    return DownscaleParams(draws.uniform(rng, max(0.9 - 0.35 * strength, 0.3), 0.9))


def apply_downscale(image: np.ndarray, params: DownscaleParams) -> np.ndarray:
    """Shrinks (antialiased) and enlarges (bilinear) an (H, W, 3) uint8 image back to its size.

    The shrink is a Gaussian of sigma sqrt(1 / scale^2 - 1) / 2 and a bilinear sample: as soft as OpenCV's
    area filter (within a grey level on average), which at non-integer scales costs 3x as much.
    """
    h, w = image.shape[:2]
    sigma = 0.5 * np.sqrt(1.0 / params.scale**2 - 1.0)
    source = cv2.GaussianBlur(image, (0, 0), sigma) if sigma > 0.1 else image
    small = cv2.resize(source, (max(1, round(w * params.scale)), max(1, round(h * params.scale))),
                       interpolation=cv2.INTER_LINEAR)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


@dataclass(frozen=True)
class JpegParams:
    """A JPEG round trip at `quality` (1-100), as phones and messengers save photos."""

    quality: int

    def __post_init__(self):
        if not 1 <= self.quality <= 100:
            raise ValueError(f"quality = {self.quality}; expected 1..100")


def sample_jpeg(rng: np.random.Generator, strength: float, frame: EffectFrame) -> JpegParams:
    """Draws a quality between max(95 - 45 * strength, 15) and 95."""
    return JpegParams(int(rng.integers(max(int(95 - 45 * strength), 15), 96)))


def apply_jpeg(image: np.ndarray, params: JpegParams) -> np.ndarray:
    """Encodes an RGB uint8 image as JPEG and decodes it."""
    return decode_jpeg(encode_jpeg(image, params))


def encode_jpeg(image: np.ndarray, params: JpegParams) -> bytes:
    """The JPEG file of an RGB uint8 image at `params.quality`: the bytes a phone or messenger would store.
    OpenCV encodes BGR: the channels are swapped before the codec so that its luma and chroma are the real ones."""
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, params.quality])
    if not ok:
        raise ValueError(f"OpenCV could not encode a {image.shape} image as JPEG")
    return data.tobytes()


def decode_jpeg(data: bytes) -> np.ndarray:
    """The RGB uint8 pixels of a JPEG file (OpenCV's decoder writes RGB itself; Pillow's gives the same pixels)."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR_RGB)
