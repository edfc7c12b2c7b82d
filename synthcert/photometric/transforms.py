"""Albumentations transforms for the effects of `synthcert.photometric.effects`.

They sample their parameters the albumentations way (`get_params` from the transform's own generators,
which `apply_photometric` sets from the sample) and leave the pixels to the pure functions. They exist
for speed: one coarse gain field replaces three full-size albumentations lighting passes, and noise cut
from a bank replaces drawing 300,000 normal numbers per image.
"""

from __future__ import annotations

from typing import Any

import albumentations as A
import numpy as np

from synthcert.photometric import effects


class Lighting(A.ImageOnlyTransform):
    """Uneven light: a linear fall-off, a pool of shade and a soft shadow, each with its own probability.

    Args:
        gradient_p, spot_p, shadow_p: probability of each part.
        gradient_intensity_range: how far the gain rises and falls from 1 across the image.
        spot_intensity_range: how much the centre of the pool of shade is darkened.
        shadow_intensity_range: how much the shadow darkens.
        softness_range_px: how wide the shadow's edge is, in output pixels.
        p: probability of the transform as a whole.
    """

    def __init__(
        self,
        gradient_p: float = 0.3,
        gradient_intensity_range: tuple[float, float] = (0.02, 0.15),
        spot_p: float = 0.2,
        spot_intensity_range: tuple[float, float] = (0.02, 0.12),
        shadow_p: float = 0.15,
        shadow_intensity_range: tuple[float, float] = (0.1, 0.35),
        softness_range_px: tuple[float, float] = (2.0, 24.0),
        p: float = 1.0,
    ):
        super().__init__(p=p)
        self.gradient_p, self.gradient_intensity_range = gradient_p, gradient_intensity_range
        self.spot_p, self.spot_intensity_range = spot_p, spot_intensity_range
        self.shadow_p, self.shadow_intensity_range = shadow_p, shadow_intensity_range
        self.softness_range_px = softness_range_px

    def get_params(self) -> dict[str, Any]:
        rnd = self.py_random
        params: dict[str, Any] = {"gradient": None, "spot": None, "shadow": None}
        if rnd.random() < self.gradient_p:
            params["gradient"] = (rnd.uniform(0, 360), rnd.uniform(*self.gradient_intensity_range))
        if rnd.random() < self.spot_p:
            x, y = rnd.random(), rnd.random()
            params["spot"] = (x, y, rnd.uniform(0.2, 0.6), rnd.uniform(*self.spot_intensity_range))
        if rnd.random() < self.shadow_p:
            # A star-shaped blob around a random centre (angles sorted, so it never crosses itself), like
            # the shadow of a hand or a phone; often partly off the image.
            angles = np.sort(self.random_generator.uniform(0, 2 * np.pi, 5))
            radii = self.random_generator.uniform(0.25, 0.7, 5)
            centre = self.random_generator.uniform(0, 1, 2)
            polygon = centre + np.column_stack([np.cos(angles), np.sin(angles)]) * radii[:, None]
            intensity = rnd.uniform(*self.shadow_intensity_range)
            params["shadow"] = (polygon, intensity, rnd.uniform(*self.softness_range_px))
        return params

    def apply(self, img: np.ndarray, gradient=None, spot=None, shadow=None, **params: Any) -> np.ndarray:
        if gradient is None and spot is None and shadow is None:
            return img
        return effects.apply_gain(img, effects.lighting_gain(img.shape[:2], gradient, spot, shadow))

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("gradient_p", "gradient_intensity_range", "spot_p", "spot_intensity_range", "shadow_p",
                "shadow_intensity_range", "softness_range_px")


class SensorNoise(A.ImageOnlyTransform):
    """Camera noise of a random strength, in colour or in brightness only, cut from a cached noise bank.

    Args:
        std_range: standard deviation as a fraction of 255.
        mono_p: probability that the noise is the same in all channels (brightness only).
        p: probability of the transform.
    """

    def __init__(self, std_range: tuple[float, float] = (0.01, 0.05), mono_p: float = 0.5, p: float = 0.5):
        super().__init__(p=p)
        self.std_range, self.mono_p = std_range, mono_p

    def get_params_dependent_on_data(self, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        h, w = params["shape"][:2]
        rnd = self.py_random
        return {"std": 255.0 * rnd.uniform(*self.std_range), "mono": rnd.random() < self.mono_p,
                "offset_xy": (rnd.randrange(w + 1), rnd.randrange(h + 1))}

    def apply(self, img: np.ndarray, std: float = 0.0, mono: bool = False, offset_xy=(0, 0), **params: Any):
        h, w = img.shape[:2]
        x, y = offset_xy
        noise = effects.noise_bank((h, w), mono)[y:y + h, x:x + w]
        return effects.add_noise(img, noise, std)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("std_range", "mono_p")
