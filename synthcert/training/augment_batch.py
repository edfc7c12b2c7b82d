"""Cheap, label-exact augmentation of a batch of pooled samples: a small homography, light and noise.

Training stage; numpy and OpenCV only, no TensorFlow, no state: all randomness comes from the generator
passed in. The draws, matrices, corner moves, light and noise are computed for the whole batch at once;
only the pixels are done per image (one cv2.warpPerspective and one cv2.addWeighted each). Each image and its
corners go through the same matrix (through `geometry.opencv_from_coco` for the pixels), so the labels
stay exact; a draw that would push a corner that was inside the image out of it is replaced by none.
"""

from __future__ import annotations

import cv2
import numpy as np

from synthcert import geometry
from synthcert.labels import corners_visible
from synthcert.photometric.effects import NOISE_SIGMA, NOISE_ZERO, noise_bank
from synthcert.training.letterbox import PAD_VALUE


def augment_batch(images: np.ndarray, corners_xy: np.ndarray, rng: np.random.Generator, strength: float = 1.0,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Warps, relights and adds noise to a batch.

    Args:
        images: (B, H, W, 3) uint8 RGB.
        corners_xy: (B, 4, 2) float corners in image pixels (COCO), TL, TR, BR, BL.
        rng: the only source of randomness.
        strength: scales every range (1: up to 4 % of the size in corner jitter, 8 % in scale and shift,
            5 degrees of rotation, 15 % light, 3 % noise).

    Returns:
        (B, H, W, 3) uint8 images and (B, 4, 2) float64 corners in the same frame and order.

    Example:
        >>> images = np.full((2, 32, 48, 3), 200, np.uint8)
        >>> corners = np.tile(np.array([[10.0, 10.0], [30.0, 10.0], [30.0, 20.0], [10.0, 20.0]]), (2, 1, 1))
        >>> out, moved = augment_batch(images, corners, np.random.default_rng(0))
        >>> out.shape, moved.shape
        ((2, 32, 48, 3), (2, 4, 2))
    """
    b, h, w = images.shape[:3]
    corners_xy = np.asarray(corners_xy, np.float64)
    m = _homographies(rng, b, (w, h), strength)
    moved = _transform(m, corners_xy)
    inside = corners_visible(corners_xy.reshape(-1, 2), (w, h)).reshape(b, 4)
    still = corners_visible(moved.reshape(-1, 2), (w, h)).reshape(b, 4)
    lost = (inside & ~still).any(axis=1)
    m[lost], moved[lost] = np.eye(3), corners_xy[lost]
    # Light (gain and offset per image) and noise (a crop of the bank per image), drawn for the batch at once.
    gain = 1 + rng.uniform(-0.15, 0.15, b) * strength
    offset = rng.uniform(-0.08, 0.08, b) * 255 * strength
    scale = rng.uniform(0, 0.03, b) * 255 * strength / NOISE_SIGMA
    bank = noise_bank((h, w), False)
    x0, y0 = rng.integers(0, w + 1, b), rng.integers(0, h + 1, b)
    out = np.empty_like(images)
    for k in range(b):
        warped = images[k] if lost[k] else cv2.warpPerspective(
            images[k], geometry.opencv_from_coco(m[k]), (w, h), flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT, borderValue=(PAD_VALUE,) * 3)
        # One 8-bit pass per image: a batch-wide float32 copy cost ten times the warps' time.
        cv2.addWeighted(warped, float(gain[k]), bank[y0[k]:y0[k] + h, x0[k]:x0[k] + w], float(scale[k]),
                        float(offset[k] - NOISE_ZERO * scale[k]), dst=out[k])
    return out, moved


def _homographies(rng: np.random.Generator, b: int, size_wh: tuple[int, int], strength: float) -> np.ndarray:
    """(B, 3, 3) small random homographies of the image about its centre: rotation, scale, shift, perspective."""
    w, h = size_wh
    angle = np.deg2rad(rng.uniform(-5, 5, b) * strength)
    scale = 1 + rng.uniform(-0.08, 0.08, b) * strength
    shift = rng.uniform(-0.08, 0.08, (b, 2)) * (w, h) * strength
    tilt = rng.uniform(-0.04, 0.04, (b, 2)) * strength / np.array([w, h])  # corners move by up to 4 %
    m = np.zeros((b, 3, 3))
    m[:, 0, 0] = m[:, 1, 1] = scale * np.cos(angle)
    m[:, 0, 1], m[:, 1, 0] = -scale * np.sin(angle), scale * np.sin(angle)
    m[:, :2, 2] = shift
    m[:, 2, :2], m[:, 2, 2] = tilt, 1.0
    centre = geometry.translation(w / 2, h / 2)
    return centre @ m @ np.linalg.inv(centre)


def _transform(m: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Applies (B, 3, 3) homographies to (B, N, 2) points."""
    ones = np.ones((*xy.shape[:2], 1))
    p = np.einsum("bij,bnj->bni", m, np.concatenate([xy, ones], axis=2))
    return p[..., :2] / p[..., 2:]
