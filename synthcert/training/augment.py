"""Keypoint-aware augmentation of real labelled photos with albumentations (geometric and photometric).

Training stage for real samples, applied after they are letterboxed to the model input. No TensorFlow;
all randomness comes from the generator passed in. Corners go through albumentations as keypoints with
`remove_invisible=False`, so none is ever dropped, and keep their reading order: the geometric part is
`Affine` only (rotation, scale, shift, shear) and never flips, which would swap TL and TR.

Albumentations' `Affine` puts pixel centres at integer coordinates while our labels are COCO (centres at
i + 0.5), so corners go into and out of albumentations through geometry's half-pixel conversions; the
test checks the result against marker blobs warped with the image.
"""

from __future__ import annotations

from functools import lru_cache

import albumentations as A
import cv2
import numpy as np

from synthcert import geometry
from synthcert.config import PRESET_STRENGTHS
from synthcert.labels import corners_visible
from synthcert.training.letterbox import PAD_VALUE

MAX_ATTEMPTS = 10


def check_real_workers(workers: int, use_multiprocessing: bool, fix: str) -> None:
    """Raises a ValueError, ending with `fix` (spelled for the caller's settings), for several thread workers: they
    would share the real photos' albumentations pipelines and draw their seeds in a race."""
    if workers > 1 and not use_multiprocessing:
        raise ValueError(f"workers = {workers} with real photos: threads would draw albumentations seeds in a race; "
                         f"{fix}")


@lru_cache(maxsize=8)
def build_real_augmentation(strength: str = "default") -> A.Compose | None:
    """Returns the augmentation pipeline for real photos at a named strength (none, light, default, heavy).

    The pipeline is shared and reseeded per call by `augment_real`: use it from one thread at a time.

    Raises:
        ValueError: for an unknown strength.
    """
    if strength not in PRESET_STRENGTHS:
        raise ValueError(f"augmentation strength = {strength!r}; expected one of {', '.join(PRESET_STRENGTHS)}")
    k = PRESET_STRENGTHS[strength]
    if k == 0:
        return None
    transforms = [
        A.Affine(scale=(1 - 0.15 * k, 1 + 0.1 * k), translate_percent=(-0.06 * k, 0.06 * k),
                 rotate=(-10 * k, 10 * k), shear=(-5 * k, 5 * k), border_mode=cv2.BORDER_CONSTANT,
                 fill=PAD_VALUE, p=0.9),
        A.RandomBrightnessContrast(brightness_limit=0.25 * k, contrast_limit=0.25 * k, p=0.7),
        A.HueSaturationValue(hue_shift_limit=8 * k, sat_shift_limit=20 * k, val_shift_limit=10 * k, p=0.4),
        A.OneOf([A.GaussianBlur(blur_limit=(3, 5), p=1), A.MotionBlur(blur_limit=(3, 5), p=1)], p=0.25 * k),
        A.GaussNoise(std_range=(0.01, 0.04 * k), p=0.3),
        A.ImageCompression(quality_range=(int(90 - 40 * min(k, 1.0)), 95), p=0.4),
    ]
    return A.Compose(transforms, keypoint_params=A.KeypointParams(format="xy", remove_invisible=False))


def augment_real(
    image: np.ndarray, corners_xy: np.ndarray, transform: A.Compose | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Applies one random draw of `transform` to an image and its corners.

    Draws again (up to 10 times) while a corner that was inside the image would leave it; if every draw
    loses a corner, returns the input unchanged.

    Args:
        image: (H, W, 3) uint8 RGB.
        corners_xy: (4, 2) float64 in image pixels (COCO), TL, TR, BR, BL of the text as read.
        transform: from `build_real_augmentation`, or None for no augmentation.
        rng: the only source of randomness.

    Returns:
        The (H, W, 3) uint8 augmented image and its (4, 2) float64 corners in the same frame and order.
    """
    corners_xy = np.asarray(corners_xy, np.float64)
    if transform is None:
        return image, corners_xy
    size_wh = (image.shape[1], image.shape[0])
    inside = corners_visible(corners_xy, size_wh)
    for _ in range(MAX_ATTEMPTS):
        transform.set_random_seed(int(rng.integers(2**31)))
        out = transform(image=image, keypoints=geometry.opencv_from_coco_xy(corners_xy))
        moved = geometry.coco_from_opencv_xy(np.asarray(out["keypoints"], np.float64)[:, :2])
        if corners_visible(moved, size_wh)[inside].all():
            return out["image"], moved
    return image, corners_xy
