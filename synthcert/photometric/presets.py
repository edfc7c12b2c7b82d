"""Photometric presets built from albumentations transforms.

Only pixel-level transforms are used, so no label can move. Each sample reseeds the pipeline from its
own generator (`apply_photometric`), which keeps a sample a pure function of (configuration, seed,
index) whatever process or worker renders it.
"""

from __future__ import annotations

from functools import lru_cache

import albumentations as A
import numpy as np


@lru_cache(maxsize=16)
def build_photometric(preset: str, image_size_wh: tuple[int, int]) -> A.Compose | None:
    """Returns the albumentations pipeline of `preset` (none, light, default, heavy) for one output size."""
    if preset == "none":
        return None
    strength = {"light": 0.5, "default": 1.0, "heavy": 1.6}[preset]
    width = image_size_wh[0]

    def p(prob: float) -> float:
        return min(prob * strength, 1.0)

    def r(lo: float, hi: float, cap: float = 1.0) -> tuple[float, float]:
        return min(lo * strength, cap), min(hi * strength, cap)

    blur = max(3, int(2 * round(2 * strength) + 1))
    transforms = [
        A.RandomBrightnessContrast(brightness_limit=r(-0.2, 0.2), contrast_limit=r(-0.2, 0.2), p=p(0.6)),
        A.PlanckianJitter(mode="blackbody", p=p(0.35)),
        A.Illumination(mode="linear", intensity_range=r(0.02, 0.15, cap=0.2), p=p(0.3)),
        A.Illumination(mode="gaussian", effect_type="darken", intensity_range=r(0.02, 0.12, cap=0.2), p=p(0.2)),
        A.RandomShadow(shadow_roi=(0, 0, 1, 1), num_shadows_limit=(1, 2), shadow_intensity_range=r(0.1, 0.35),
                       p=p(0.15)),
        A.RandomSunFlare(flare_roi=(0, 0, 1, 1), src_radius=max(int(0.25 * width), 8),
                         num_flare_circles_range=(1, 3), p=p(0.05)),
        A.OneOf([
            A.MotionBlur(blur_limit=(3, blur), p=1),
            A.Defocus(radius=(1, max(1, int(2 * strength))), alias_blur=(0.1, 0.3), p=1),
            A.GaussianBlur(blur_limit=(3, blur), p=1),
        ], p=p(0.3)),
        A.OneOf([
            A.GaussNoise(std_range=r(0.01, 0.05), p=1),
            A.ISONoise(color_shift=(0.01, 0.03), intensity=r(0.05, 0.3), p=1),
        ], p=p(0.35)),
        A.Downscale(scale_range=(max(0.9 - 0.35 * strength, 0.3), 0.9), p=p(0.15)),
        A.ImageCompression(quality_range=(max(int(95 - 45 * strength), 15), 95), p=p(0.5)),
    ]
    return A.Compose(transforms)


def apply_photometric(image: np.ndarray, transform: A.Compose | None, rng: np.random.Generator) -> np.ndarray:
    """Applies `transform` to an (H, W, 3) uint8 RGB image with randomness drawn from `rng` only."""
    if transform is None:
        return image
    transform.set_random_seed(int(rng.integers(2**31)))
    return transform(image=image)["image"]
