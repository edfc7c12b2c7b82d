"""What lies behind the document: procedural surfaces or the user's own photos.

Textures are generated once per (kind, output size) from fixed seeds and cached; a sample only picks
one, crops, flips and tints it, so a background costs a copy rather than a synthesis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from synthcert.errors import ConfigError

VARIANTS = 6
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


@dataclass(frozen=True)
class BackgroundParams:
    """One sampled background: a texture (kind + variant, or a photo file), a crop, a flip and a tint."""

    source: str
    variant: int
    crop_xy: tuple[float, float]  # fractions of the free room in x and y
    flip: bool
    gain_rgb: tuple[float, float, float]


def sample_background(sources: tuple[str, ...], rng: np.random.Generator) -> BackgroundParams:
    """Draws a background among `sources` (built-in kinds or directories of photos)."""
    source = sources[int(rng.integers(len(sources)))]
    count = len(photo_files(source)) if _is_photo_dir(source) else VARIANTS
    return BackgroundParams(
        source=source,
        variant=int(rng.integers(count)),
        crop_xy=(float(rng.random()), float(rng.random())),
        flip=bool(rng.random() < 0.5),
        gain_rgb=tuple(float(g) for g in rng.uniform(0.85, 1.15, size=3)),
    )


def render_background(params: BackgroundParams, size_wh: tuple[int, int]) -> np.ndarray:
    """Returns the (H, W, 3) uint8 RGB background of `params` at `size_wh`; deterministic."""
    w, h = size_wh
    if _is_photo_dir(params.source):
        texture = _photo(photo_files(params.source)[params.variant], size_wh)
    else:
        texture = _texture(params.source, params.variant, size_wh)
    th, tw = texture.shape[:2]
    x, y = int(params.crop_xy[0] * (tw - w)), int(params.crop_xy[1] * (th - h))
    crop = texture[y:y + h, x:x + w]
    if params.flip:
        crop = cv2.flip(crop, 1)  # a negative-stride view would make OpenCV copy it slowly
    # A diagonal colour matrix tints at a quarter of the cost of multiplying by a scalar per channel.
    return cv2.transform(crop, np.diag(params.gain_rgb))


@lru_cache(maxsize=32)
def _is_photo_dir(source: str) -> bool:
    """Whether `source` is a directory of photos; cached, since a stat per sample costs more than the crop."""
    return Path(source).is_dir()


@lru_cache(maxsize=32)
def photo_files(directory: str) -> tuple[Path, ...]:
    """Returns the image files in `directory`, sorted so that a variant index means the same file everywhere."""
    files = tuple(sorted(p for p in Path(directory).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))
    if not files:
        raise ConfigError(f"holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}); add some photos",
                          directory, "scene.backgrounds")
    return files


@lru_cache(maxsize=64)
def _photo(path: Path, size_wh: tuple[int, int]) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ConfigError("is not an image OpenCV can read; remove it or convert it", path, "scene.backgrounds")
    w, h = size_wh
    scale = 1.25 * max(w / bgr.shape[1], h / bgr.shape[0])  # cover the frame with room to crop
    size = (max(int(np.ceil(bgr.shape[1] * scale)), w), max(int(np.ceil(bgr.shape[0] * scale)), h))
    return cv2.cvtColor(cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)


@lru_cache(maxsize=64)
def _texture(kind: str, variant: int, size_wh: tuple[int, int]) -> np.ndarray:
    rng = np.random.default_rng([variant, sum(map(ord, kind))])
    w, h = int(size_wh[0] * 1.25), int(size_wh[1] * 1.25)
    # A column and a row that broadcast: each pixel's value is the same as from full (h, w) grids, without making them.
    yy = np.arange(h, dtype=np.float32)[:, None] / max(w, h)
    xx = np.arange(w, dtype=np.float32)[None, :] / max(w, h)
    base = rng.uniform(40, 230, size=3).astype(np.float32)
    if kind == "plain":
        shade = 1 + 0.15 * (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1))
        image = base * shade[..., None] + _smooth_noise(rng, h, w, 4, 4)[..., None]
    elif kind == "noise":
        # The three layers summed in place in sum()'s order (float64, like it), then the base: two passes fewer.
        image = _smooth_noise(rng, h, w, 2, 40)[..., None] * rng.uniform(0.5, 1.5, 3)
        for s in (8, 32):
            image += _smooth_noise(rng, h, w, s, 40)[..., None] * rng.uniform(0.5, 1.5, 3)
        image = np.add(base, image, out=image)
    elif kind == "wood":
        base = np.array([rng.uniform(110, 190), rng.uniform(70, 120), rng.uniform(30, 70)], np.float32)
        warp = _smooth_noise(rng, h, w, 24, 3)
        rings = np.sin((yy * rng.uniform(30, 80) + warp) * np.pi) * 0.5 + 0.5
        image = base * (0.75 + 0.35 * rings[..., None]) + _smooth_noise(rng, h, w, 1, 8)[..., None]
    elif kind == "fabric":
        period = rng.uniform(3, 7)
        weave = np.sin(xx * max(w, h) * 2 * np.pi / period) * np.sin(yy * max(w, h) * 2 * np.pi / period)
        image = base * (0.85 + 0.15 * weave[..., None]) + _smooth_noise(rng, h, w, 16, 20)[..., None]
    elif kind == "desk":
        image = base * (0.9 + 0.1 * yy[..., None]) + _smooth_noise(rng, h, w, 8, 6)[..., None]
        image = _papers(image, rng)
    else:
        raise ConfigError(f"unknown background kind {kind!r}", field="scene.backgrounds")
    return np.clip(image, 0, 255, out=image).astype(np.uint8)  # every branch's image is its own


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cell: int, amplitude: float) -> np.ndarray:
    small = rng.normal(0, amplitude, size=(max(h // cell, 1), max(w // cell, 1))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _papers(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lays a few other sheets (receipts, letters) on the desk: real photos rarely show an empty desk."""
    h, w = image.shape[:2]
    for _ in range(int(rng.integers(0, 4))):
        centre = rng.uniform([0, 0], [w, h])
        size = rng.uniform(0.2, 0.6, 2) * [w, h]
        box = cv2.boxPoints((tuple(centre), tuple(size), float(rng.uniform(0, 180))))
        shade = float(rng.uniform(200, 250))
        cv2.fillConvexPoly(image, box.astype(np.int32), (shade, shade, shade * rng.uniform(0.93, 1.0)), cv2.LINE_AA)
        for k in range(int(rng.integers(0, 8))):  # a few lines of grey "text"
            p0 = box[0] + (box[1] - box[0]) * 0.1 + (box[3] - box[0]) * (0.15 + 0.08 * k)
            p1 = p0 + (box[1] - box[0]) * rng.uniform(0.3, 0.8)
            cv2.line(image, tuple(map(int, p0)), tuple(map(int, p1)), (120, 120, 130), 1, cv2.LINE_AA)
    return image
