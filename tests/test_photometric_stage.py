"""Tests of synthcert.photometric.stage: one list of effects, one setting each, determinism and skipped effects."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthcert.config import PhotometricConfig
from synthcert.photometric.effects import EffectFrame, apply_tables
from synthcert.photometric.stage import EFFECTS, PhotometricDraw, apply_photometric, sample_photometric

FRAME = EffectFrame((96, 64), np.array([[10.0, 8.0], [80.0, 10.0], [78.0, 56.0], [12.0, 54.0]]))
IMAGE = np.random.default_rng([0, 99]).integers(40, 220, (64, 96, 3), dtype=np.uint8)
ALL_ON = PhotometricConfig(**{f"{e.name}_p": 1.0 for e in EFFECTS})
ALL_OFF = {f"{e.name}_p": 0.0 for e in EFFECTS}


def test_every_effect_has_one_probability_setting_and_every_setting_one_effect():
    settings = {f.name[:-2] for f in dataclasses.fields(PhotometricConfig) if f.name.endswith("_p")}
    assert settings == {e.name for e in EFFECTS}
    assert len(EFFECTS) == len(settings)


@pytest.mark.parametrize("effect", EFFECTS, ids=[e.name for e in EFFECTS])
def test_each_effect_is_reproducible_changes_pixels_and_keeps_shape(effect):
    draws = [effect.sample(np.random.default_rng([k, 3]), 1.0, FRAME) for k in range(6)]
    assert draws == [effect.sample(np.random.default_rng([k, 3]), 1.0, FRAME) for k in range(6)]
    outs = [effect.apply(IMAGE, d) for d in draws]
    assert all(o.shape == IMAGE.shape and o.dtype == np.uint8 for o in outs)
    assert any(not np.array_equal(o, IMAGE) for o in outs)
    np.testing.assert_array_equal(effect.apply(IMAGE, draws[0]), outs[0])


@pytest.mark.parametrize("preset", ["light", "default", "heavy"])
def test_same_generator_state_gives_the_same_effects_and_image(preset):
    config = dataclasses.replace(ALL_ON, preset=preset)
    draws = [sample_photometric(config, np.random.default_rng([k, 5]), FRAME) for k in range(4)]
    again = [sample_photometric(config, np.random.default_rng([k, 5]), FRAME) for k in range(4)]
    for a, b in zip(draws, again, strict=True):
        np.testing.assert_array_equal(apply_photometric(IMAGE, a), apply_photometric(IMAGE, b))
    order = [e.name for e in EFFECTS]
    assert all(list(d.names) == sorted(d.names, key=order.index) for d in draws)  # always in EFFECTS' order
    assert (preset == "light") == any(len(d.names) < len(EFFECTS) for d in draws)  # p = 1 * 0.5 for light


def test_preset_none_draws_nothing_and_returns_the_image_untouched():
    draw = sample_photometric(dataclasses.replace(ALL_ON, preset="none"), np.random.default_rng(0), FRAME)
    assert draw == PhotometricDraw() and apply_photometric(IMAGE, draw) is IMAGE


def test_only_effects_whose_probability_fired_are_sampled():
    config = PhotometricConfig(**{**ALL_OFF, "jpeg_p": 1.0, "noise_p": 0.5})
    names = [sample_photometric(config, np.random.default_rng(k), FRAME).names for k in range(200)]
    assert {n for ns in names for n in ns} == {"jpeg", "noise"}
    assert all(ns[-1] == "jpeg" for ns in names)
    assert 60 < sum("noise" in ns for ns in names) < 140


def test_the_preset_strength_scales_probabilities():
    config = PhotometricConfig(**{**ALL_OFF, "blur_p": 0.5})
    fired = {preset: sum(bool(sample_photometric(dataclasses.replace(config, preset=preset),
                                                 np.random.default_rng(k), FRAME).names) for k in range(300))
             for preset in ("light", "heavy")}
    assert fired["light"] < 110 < 190 < fired["heavy"]  # 0.25 and 0.8 of 300


@pytest.mark.parametrize("effect", [e for e in EFFECTS if e.tables is not None],
                         ids=[e.name for e in EFFECTS if e.tables is not None])
def test_an_effects_tables_give_the_bytes_of_its_apply(effect):
    for k in range(6):
        params = effect.sample(np.random.default_rng([k, 13]), 1.6, FRAME)
        np.testing.assert_array_equal(apply_tables(IMAGE, effect.tables(params)), effect.apply(IMAGE, params))


def _one_by_one(image, draw):
    for effect, params in draw.effects:
        image = effect.apply(image, params)
    return image


@pytest.mark.parametrize("seed", range(8))
def test_runs_of_table_effects_applied_in_one_pass_give_the_bytes_of_one_by_one(seed):
    tabled = {e.name: 1.0 for e in EFFECTS if e.tables is not None}
    assert set(tabled) == {"colour_temperature", "colour_cast", "exposure"}
    # Runs of one, two and three table effects, with other effects before (noise) and after (downscale).
    config = PhotometricConfig(**{**ALL_OFF, **{f"{n}_p": 0.7 for n in tabled}, "noise_p": 0.5, "downscale_p": 0.5})
    draw = sample_photometric(config, np.random.default_rng([seed, 11]), FRAME)
    np.testing.assert_array_equal(apply_photometric(IMAGE, draw), _one_by_one(IMAGE, draw))
