"""Photometric presets built from albumentations transforms (and two of ours, in `transforms.py`).

Only pixel-level transforms are used, so no label can move. `apply_photometric` draws every decision and
every parameter from the sample's own generator, which keeps a sample a pure function of (configuration,
seed, index) whatever process or worker renders it.

Speed: the preset is walked here rather than called as a Compose. Reseeding and validating a whole
Compose cost more per image than most of its effects, so only the transforms whose probability fired
are run, each one directly.
"""

from __future__ import annotations

import random
import threading

import albumentations as A
import numpy as np

from synthcert.photometric.transforms import Lighting, SensorNoise

_local = threading.local()


def build_photometric(preset: str, image_size_wh: tuple[int, int]) -> A.Compose | None:
    """Returns the albumentations pipeline of `preset` (none, light, default, heavy) for one output size.

    The pipeline is cached per thread: transforms hold their random state, so threads that render at once
    (Keras workers) must not share one.
    """
    cache = _local.__dict__.setdefault("presets", {})
    key = (preset, tuple(image_size_wh))
    if key not in cache:
        cache[key] = _build(preset, image_size_wh)
    return cache[key]


def _build(preset: str, image_size_wh: tuple[int, int]) -> A.Compose | None:
    if preset == "none":
        return None
    strength = {"light": 0.5, "default": 1.0, "heavy": 1.6}[preset]
    width = image_size_wh[0]

    def p(prob: float) -> float:
        return min(prob * strength, 1.0)

    def r(lo: float, hi: float, cap: float = 1.0) -> tuple[float, float]:
        return min(lo * strength, cap), min(hi * strength, cap)

    blur = max(3, int(2 * round(2 * strength) + 1))
    # Costs at 384 x 256 on one core shaped the list: light, shade and shadows share one coarse gain field
    # (Lighting, 0.1 ms instead of 1-2.5 ms each for Illumination and RandomShadow), noise comes from a bank
    # (SensorNoise; drawing normals costs 1 ms an image), and a box blur stands in for Defocus, whose
    # 17 x 17 kernel costs 10 ms for a radius of 1-2 px.
    transforms = [
        A.RandomBrightnessContrast(brightness_limit=r(-0.2, 0.2), contrast_limit=r(-0.2, 0.2), p=p(0.6)),
        A.PlanckianJitter(mode="blackbody", sampling_method="gaussian", p=p(0.35)),  # near daylight, as phones balance
        Lighting(gradient_p=p(0.3), gradient_intensity_range=r(0.02, 0.15, cap=0.2),
                 spot_p=p(0.2), spot_intensity_range=r(0.02, 0.12, cap=0.2),
                 shadow_p=p(0.15), shadow_intensity_range=r(0.1, 0.35)),
        A.RandomSunFlare(flare_roi=(0, 0, 1, 1), src_radius=max(int(0.25 * width), 8),
                         num_flare_circles_range=(1, 3), p=p(0.05)),
        A.OneOf([
            A.MotionBlur(blur_limit=(3, blur), p=1),
            A.Blur(blur_limit=(3, blur), p=1),
            A.GaussianBlur(blur_limit=(3, blur), p=1),
        ], p=p(0.3)),
        SensorNoise(std_range=r(0.01, 0.05), p=p(0.35)),
        A.Downscale(scale_range=(max(0.9 - 0.35 * strength, 0.3), 0.9), p=p(0.15)),
        A.ImageCompression(quality_range=(max(int(95 - 45 * strength), 15), 95), p=p(0.5)),
    ]
    return A.Compose(transforms)


def apply_photometric(image: np.ndarray, transform: A.Compose | None, rng: np.random.Generator) -> np.ndarray:
    """Applies `transform` to an (H, W, 3) uint8 RGB image with randomness drawn from `rng` only.

    Args:
        image: (H, W, 3) uint8 RGB; not modified.
        transform: a pipeline from `build_photometric` (or any Compose of pixel-level transforms), or None.
        rng: the sample's photometric generator; it decides which transforms fire and with what parameters.

    Returns:
        (H, W, 3) uint8 RGB.
    """
    if transform is None:
        return image
    py_random = random.Random(int(rng.integers(2**63)))
    for t in transform.transforms:
        image = _apply(t, image, rng, py_random)
    return image


def _apply(t, image: np.ndarray, rng: np.random.Generator, py_random: random.Random) -> np.ndarray:
    """Runs `t` if its probability fires, seeded from `rng`; one draw decides, whether it fires or not."""
    if isinstance(t, A.OneOf):
        if rng.random() >= t.p:
            return image
        t = t.transforms[int(rng.choice(len(t.transforms), p=t.transforms_ps))]  # albumentations' normalised p
        return _apply(t, image, rng, py_random) if isinstance(t, A.BaseCompose) else _run(t, image, rng, py_random)
    if isinstance(t, A.BaseCompose):  # other compositions run whole, seeded from the sample
        t.set_random_seed(int(rng.integers(2**31)))
        return t(image=image)["image"]
    return _run(t, image, rng, py_random) if rng.random() < t.p else image


def _run(t: A.BasicTransform, image: np.ndarray, rng: np.random.Generator, py_random: random.Random) -> np.ndarray:
    t.set_random_state(rng, py_random)
    return t(image=image, force_apply=True)["image"]
