"""Tests of synthcert.photometric.presets: per-sample determinism, skipped effects and per-thread pipelines."""

from __future__ import annotations

import threading

import albumentations as A
import numpy as np
import pytest

from synthcert.photometric.presets import apply_photometric, build_photometric
from synthcert.photometric.transforms import Lighting, SensorNoise

SIZE_WH = (96, 64)
IMAGE = np.random.default_rng([0, 99]).integers(40, 220, (64, 96, 3), dtype=np.uint8)


@pytest.mark.parametrize("preset", ["light", "default", "heavy"])
def test_same_generator_state_gives_the_same_image(preset):
    transform = build_photometric(preset, SIZE_WH)
    outs = [apply_photometric(IMAGE, transform, np.random.default_rng([k, 5])) for k in range(8)]
    again = [apply_photometric(IMAGE, transform, np.random.default_rng([k, 5])) for k in range(8)]
    for a, b in zip(outs, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len({o.tobytes() for o in outs}) > 1
    assert all(o.shape == IMAGE.shape and o.dtype == np.uint8 for o in outs)


def test_preset_none_returns_the_image_untouched():
    assert apply_photometric(IMAGE, build_photometric("none", SIZE_WH), np.random.default_rng(0)) is IMAGE


class _Spy(A.ImageOnlyTransform):
    def __init__(self, p: float, calls: list):
        super().__init__(p=p)
        self.calls = calls

    def apply(self, img, **params):
        self.calls.append(self.p)
        return img


def test_only_transforms_whose_probability_fired_run():
    calls: list = []
    compose = A.Compose([_Spy(0.0, calls), _Spy(1.0, calls), A.OneOf([_Spy(1.0, calls)], p=0.0)])
    for k in range(20):
        apply_photometric(IMAGE, compose, np.random.default_rng(k))
    assert calls == [1.0] * 20


def test_each_thread_gets_its_own_pipeline_and_the_same_images():
    pipelines, images = {}, {}

    def work(name):
        pipelines[name] = build_photometric("default", SIZE_WH)
        images[name] = [apply_photometric(IMAGE, pipelines[name], np.random.default_rng([k, 1])) for k in range(30)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(p) for p in pipelines.values()}) == 3
    assert build_photometric("default", SIZE_WH) is build_photometric("default", SIZE_WH)
    for n in (1, 2):
        for a, b in zip(images[0], images[n], strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("transform", [Lighting(gradient_p=1, spot_p=1, shadow_p=1), SensorNoise(p=1)],
                         ids=["lighting", "sensor-noise"])
def test_our_transforms_are_pixel_only_and_seeded_from_their_generators(transform):
    transform.set_random_seed(3)
    first = transform(image=IMAGE)["image"]
    transform.set_random_seed(3)
    np.testing.assert_array_equal(transform(image=IMAGE)["image"], first)
    assert first.shape == IMAGE.shape and not np.array_equal(first, IMAGE)
