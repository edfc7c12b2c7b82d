"""The photometric stage: the one list of effects, drawn and applied in the order light meets the camera.

Every effect has one shape: a frozen params class, `sample_*(rng, strength, frame) -> params` and a pure
`apply_*(image, params) -> image` (in `paper.py`, `light.py`, `camera.py` and `phone.py`), one entry in
EFFECTS below and a setting `photometric.<name>_p` (its probability at strength 1). The preset sets the strength
(`config.PRESET_STRENGTHS`): it multiplies every probability (capped at 1) and scales every effect's ranges;
`none` turns them all off. An effect whose probability does not fire costs one random draw, nothing else.
An effect that maps each channel's values on their own also gives its 256-entry tables (`Effect.tables`):
consecutive ones are applied in one pass. Samplers draw scalars through `draws.py` (Generator's values,
cheaper).

Adding an effect: write its three parts, add one line to EFFECTS and one `*_p` setting to
`PhotometricConfig`; `tests/test_photometric_stage.py` checks that the two lists agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthcert.config import PRESET_STRENGTHS, PhotometricConfig
from synthcert.photometric import camera, effects, light, paper, phone
from synthcert.photometric.effects import EffectFrame


@dataclass(frozen=True)
class Effect:
    """One photometric effect: its name (the setting `photometric.<name>_p`), sampler and pure apply.

    `tables`, for an effect that maps each channel's values on their own, gives the (3, 256) uint8 tables of
    its params (`effects.apply_tables` of them gives `apply`'s bytes): a run of such effects is applied in
    one pass.
    """

    name: str
    sample: Callable[[np.random.Generator, float, EffectFrame], Any]
    apply: Callable[[np.ndarray, Any], np.ndarray]
    tables: Callable[[Any], np.ndarray] | None = None


# In the order they happen: the sheet and its cover, light on it, the lens, the sensor, the phone's
# processing, the file (and a messenger's second one).
EFFECTS: tuple[Effect, ...] = (
    Effect("wear", paper.sample_wear, paper.apply_wear),
    Effect("lighting", light.sample_lighting, light.apply_lighting),
    Effect("sleeve", paper.sample_sleeve, paper.apply_sleeve),
    Effect("glare", light.sample_glare, light.apply_glare),
    Effect("vignette", light.sample_vignette, light.apply_vignette),
    Effect("chromatic", phone.sample_chromatic, phone.apply_chromatic),
    Effect("blur", camera.sample_blur, camera.apply_blur),
    Effect("noise", camera.sample_noise, camera.apply_noise),
    Effect("denoise", phone.sample_denoise, phone.apply_denoise),
    Effect("sharpen", phone.sample_sharpen, phone.apply_sharpen),
    Effect("colour_temperature", light.sample_colour_temperature, light.apply_colour_temperature,
           light.colour_temperature_tables),
    Effect("colour_cast", phone.sample_colour_cast, phone.apply_colour_cast, phone.colour_cast_tables),
    Effect("exposure", light.sample_exposure, light.apply_exposure, light.exposure_tables),
    Effect("downscale", camera.sample_downscale, camera.apply_downscale),
    Effect("jpeg", camera.sample_jpeg, camera.apply_jpeg),
    Effect("strong_jpeg", phone.sample_strong_jpeg, camera.apply_jpeg),
)


@dataclass(frozen=True)
class PhotometricDraw:
    """The effects that fired for one sample, in order, each with its params."""

    effects: tuple[tuple[Effect, Any], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e, _ in self.effects)


def sample_photometric(config: PhotometricConfig, rng: np.random.Generator, frame: EffectFrame) -> PhotometricDraw:
    """Decides which effects fire (one draw each) and samples the params of those that do.

    Args:
        config: the probabilities and the preset.
        rng: the sample's photometric generator, the only source of randomness.
        frame: the output size and the sheet's corners in the image.

    Returns:
        A PhotometricDraw; `apply_photometric` turns it into pixels.
    """
    strength = PRESET_STRENGTHS[config.preset]
    if strength == 0:
        return PhotometricDraw()
    draw = rng.random
    return PhotometricDraw(tuple((effect, effect.sample(rng, strength, frame))
                                 for effect, chance in zip(EFFECTS, _chances(config), strict=True) if draw() < chance))


@functools.lru_cache(maxsize=16)
def _chances(config: PhotometricConfig) -> tuple[float, ...]:
    """Each effect's probability under the preset (capped at 1), in EFFECTS' order: the same for every sample."""
    strength = PRESET_STRENGTHS[config.preset]
    return tuple(min(getattr(config, f"{effect.name}_p") * strength, 1.0) for effect in EFFECTS)


def apply_photometric(image: np.ndarray, draw: PhotometricDraw) -> np.ndarray:
    """Applies the drawn effects in order to an (H, W, 3) uint8 RGB image (not modified); pure.

    Two or more consecutive effects with `tables` are composed into one set of tables and applied in one
    pass: the same bytes as one by one, since each maps uint8 to uint8 (white balance, cast and exposure).

    Example:
        >>> grey = np.full((8, 8, 3), 100, np.uint8)
        >>> draw = PhotometricDraw(((EFFECTS[-1], camera.JpegParams(90)),))
        >>> apply_photometric(grey, draw).shape
        (8, 8, 3)
    """
    for run in _runs(draw.effects):
        if len(run) == 1:
            image = run[0][0].apply(image, run[0][1])
        else:
            tables = functools.reduce(effects.compose_tables, [effect.tables(params) for effect, params in run])
            image = effects.apply_tables(image, tables)
    return image


def apply_photometric_with_file(image: np.ndarray, draw: PhotometricDraw, decode: bool = True,
                                ) -> tuple[np.ndarray | None, bytes | None]:
    """`apply_photometric`, and when the last effect is a JPEG round trip also its file: the bytes a phone or
    messenger stored, which decode to the returned pixels (a JPEG dataset writes them as they are rather than
    compressing the photo a second time); None otherwise. With `decode=False` such a photo is returned as its
    file alone, pixels None (`camera.decode_jpeg` gives them)."""
    if not draw.effects or not isinstance(draw.effects[-1][1], camera.JpegParams):
        return apply_photometric(image, draw), None
    jpeg = camera.encode_jpeg(apply_photometric(image, PhotometricDraw(draw.effects[:-1])), draw.effects[-1][1])
    return (camera.decode_jpeg(jpeg) if decode else None), jpeg


def _runs(drawn: tuple[tuple[Effect, Any], ...]) -> list[list[tuple[Effect, Any]]]:
    """The drawn effects cut into runs: each run of consecutive effects with tables is one, any other effect
    is one of its own."""
    runs: list[list[tuple[Effect, Any]]] = []
    for item in drawn:
        if runs and item[0].tables is not None and runs[-1][-1][0].tables is not None:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs
