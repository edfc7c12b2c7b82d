"""Tests of synthcert.photometric.effects: coarse lighting gain fields and the sensor-noise bank."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthcert.photometric.effects import (
    GAIN_ONE,
    IDENTITY_TABLE,
    NOISE_SIGMA,
    NOISE_ZERO,
    EffectFrame,
    add_noise,
    apply_gain,
    apply_tables,
    blend,
    compose_tables,
    lighting_gain,
    noise_bank,
    split_channels,
)

SHAPE_HW = (64, 96)
GREY = np.full((*SHAPE_HW, 3), 120, np.uint8)


def test_no_lighting_is_a_gain_of_exactly_one_and_leaves_the_image_unchanged():
    gain = lighting_gain(SHAPE_HW)
    assert gain.shape == SHAPE_HW and gain.dtype == np.uint8 and (gain == GAIN_ONE).all()
    np.testing.assert_array_equal(apply_gain(GREY, gain), GREY)


@pytest.mark.parametrize(("angle_deg", "dark", "bright"), [(0, (32, 2), (32, 93)), (90, (2, 48), (61, 48)),
                                                           (180, (32, 93), (32, 2))], ids=["0", "90", "180"])
def test_light_gradient_rises_along_its_angle(angle_deg, dark, bright):
    gain = lighting_gain(SHAPE_HW, gradient=(angle_deg, 0.2)).astype(int)
    assert gain[dark] < GAIN_ONE < gain[bright]
    assert gain[bright] - gain[dark] <= 2 * 0.2 * GAIN_ONE + 1


def test_pool_of_shade_is_darkest_at_its_centre():
    gain = lighting_gain(SHAPE_HW, spot=(0.25, 0.5, 0.3, 0.2)).astype(int)
    assert np.unravel_index(gain.argmin(), gain.shape)[1] < SHAPE_HW[1] // 2
    assert gain.min() == pytest.approx(0.8 * GAIN_ONE, abs=2) and gain[:, -1].min() > gain.min()


def test_shadow_darkens_inside_its_polygon_only():
    square = np.array([[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]])
    gain = lighting_gain(SHAPE_HW, shadow=(square, 0.3, 2.0)).astype(int)
    assert abs(gain[32, 10] - 0.7 * GAIN_ONE) <= 2
    assert gain[32, 90] == GAIN_ONE


def test_noise_bank_is_fixed_grainy_noise_of_the_documented_deviation():
    noise_bank.cache_clear()
    first = noise_bank(SHAPE_HW, mono=False)
    noise_bank.cache_clear()
    again = noise_bank(SHAPE_HW, mono=False)
    np.testing.assert_array_equal(first, again)  # from a fixed stream: same bytes in every process
    assert first.shape == (2 * SHAPE_HW[0], 2 * SHAPE_HW[1], 3) and first.dtype == np.uint8
    assert abs(first.astype(float).mean() - NOISE_ZERO) < 1 and abs(first.astype(float).std() - NOISE_SIGMA) < 1
    mono = noise_bank(SHAPE_HW, mono=True)  # one channel, spread over three where it is used
    assert mono.shape == first.shape[:2] and abs(mono.astype(float).std() - NOISE_SIGMA) < 1


@pytest.mark.parametrize("std", [0.0, 4.0, 10.0])
def test_added_noise_has_the_requested_deviation_and_no_bias(std):
    crop = noise_bank(SHAPE_HW, mono=False)[5:5 + SHAPE_HW[0], 7:7 + SHAPE_HW[1]]
    out = add_noise(GREY, crop, std).astype(float)
    assert abs(out.mean() - 120) < 0.5
    assert out.std() == pytest.approx(std, abs=0.6)


RNG_TABLES = np.random.default_rng(8).integers(0, 256, (3, 256), dtype=np.uint8)
TABLES = {"shared": np.repeat(RNG_TABLES[:1], 3, axis=0), "distinct": RNG_TABLES,
          "green kept": np.stack([RNG_TABLES[0], IDENTITY_TABLE, RNG_TABLES[2]]),
          "transposed": np.ascontiguousarray(RNG_TABLES.T).T}


@pytest.mark.parametrize("name", TABLES, ids=list(TABLES))
def test_tables_map_each_channel_through_its_own_row(name):
    tables = TABLES[name]
    image = np.random.default_rng(9).integers(0, 256, (7, 33, 3), dtype=np.uint8)
    oracle = np.stack([tables[c][image[..., c]] for c in range(3)], axis=-1)  # numpy's indexing
    out = apply_tables(image, tables)
    np.testing.assert_array_equal(out, oracle)
    assert out is not image and not np.shares_memory(out, image)


@pytest.mark.parametrize("view", [False, True], ids=["whole", "strided view"])
def test_split_channels_gives_each_channel_as_a_new_contiguous_array(view):
    image = np.random.default_rng(11).integers(0, 256, (13, 40, 3), dtype=np.uint8)
    if view:
        image = image[2:11, 5:31]
    channels = split_channels(image)
    assert len(channels) == 3
    for c, channel in enumerate(channels):
        np.testing.assert_array_equal(channel, image[..., c])  # numpy's own slicing
        assert channel.flags.c_contiguous and not np.shares_memory(channel, image)


def test_composed_tables_give_the_bytes_of_applying_both_one_after_the_other():
    first, then = TABLES["distinct"], TABLES["green kept"][::-1]
    image = np.random.default_rng(10).integers(0, 256, (9, 20, 3), dtype=np.uint8)
    np.testing.assert_array_equal(apply_tables(image, compose_tables(first, then)),
                                  apply_tables(apply_tables(image, first), then))


@pytest.mark.parametrize("target", [(255.0, 240.0, 200.5), (0.0, 0.0, 0.0), "image"], ids=["colour", "black", "image"])
def test_blend_is_the_float_mix_within_a_grey_level(target):
    rng = np.random.default_rng(12)
    image = rng.integers(0, 256, (11, 30, 3), dtype=np.uint8)
    share = rng.integers(0, 256, (11, 30), dtype=np.uint8)
    if target == "image":
        target = rng.integers(0, 256, (11, 30, 3), dtype=np.uint8)
    weight = share[..., None] / 255.0
    colour = target if isinstance(target, np.ndarray) else np.round(np.array(target))  # 8-bit colours
    oracle = image * (1 - weight) + colour * weight
    assert np.abs(blend(image, target, share) - oracle).max() <= 1.0  # two products rounded, then added


def test_blend_towards_a_colour_gives_the_bytes_of_blending_towards_an_image_of_it():
    rng = np.random.default_rng(13)
    image = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    share = np.arange(256 * 16, dtype=np.uint32).reshape(64, 64).astype(np.uint8)  # every share, 16 times
    for colour in [(255.0, 240.4, 199.5), (1.0, 128.6, 254.5), (37.0, 0.0, 255.0)]:
        plain = np.empty_like(image)
        plain[...] = [round(c) for c in colour]  # the colour as an 8-bit image holds it
        np.testing.assert_array_equal(blend(image, colour, share), blend(image, plain, share))


def test_a_point_on_the_sheet_lies_in_its_outline_or_in_the_image_when_the_sheet_is_unknown():
    rng = np.random.default_rng(4)
    sheet = np.array([[40.0, 20.0], [300.0, 60.0], [260.0, 230.0], [20.0, 180.0]])
    points = [EffectFrame((384, 256), sheet).point_on_sheet(rng) for _ in range(300)]
    outline = sheet.astype(np.float32).reshape(-1, 1, 2)
    assert all(cv2.pointPolygonTest(outline, (float(x), float(y)), False) >= 0 for x, y in points)
    # Spread over the sheet, not stuck at a corner: points land on both sides of its middle.
    assert np.ptp(np.array(points), axis=0).min() > 100
    anywhere = np.array([EffectFrame((384, 256)).point_on_sheet(rng) for _ in range(300)])
    assert (anywhere >= 0).all() and (anywhere <= (384, 256)).all() and anywhere[:, 0].max() > 300
