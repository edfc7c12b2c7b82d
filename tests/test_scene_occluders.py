"""Tests of synthcert.scene.occluders: fingers over the document, never over the target."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthcert.scene.occluders import (
    Finger,
    OccluderParams,
    _blur_radius,
    _box,
    _centres,
    _coverage,
    _covers,
    _forbidden_mask,
    _nail,
    _nail_box,
    _shades,
    _shifted,
    draw_occluders,
    occluder_alpha,
    sample_occluders,
)

SIZE_WH = (192, 128)
DOCUMENT = np.array([[20.0, 14.0], [176.0, 22.0], [170.0, 116.0], [16.0, 108.0]])
TARGETS = {
    "middle": np.array([[70.0, 50.0], [120.0, 52.0], [119.0, 64.0], [69.0, 62.0]]),
    "near-corner": np.array([[24.0, 18.0], [70.0, 20.0], [69.0, 32.0], [23.0, 30.0]]),
    "rotated": np.array([[130.0, 40.0], [150.0, 80.0], [140.0, 85.0], [120.0, 45.0]]),
}


def _image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (SIZE_WH[1], SIZE_WH[0], 3), dtype=np.uint8)


def _target_pixels(quad: np.ndarray) -> np.ndarray:
    """Every pixel the target quadrilateral touches, rasterised independently of the module."""
    mask = np.zeros((SIZE_WH[1], SIZE_WH[0]), np.uint8)
    cv2.fillConvexPoly(mask, np.round((quad - 0.5) * 16).astype(np.int32), 255, cv2.LINE_AA, shift=4)
    return mask > 0


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("target", list(TARGETS), ids=list(TARGETS))
@pytest.mark.parametrize("with_document", [True, False], ids=["on-document", "from-border"])
def test_occluders_never_change_a_target_pixel(seed, target, with_document):
    image = _image(seed)
    params = sample_occluders(np.random.default_rng(seed), SIZE_WH, TARGETS[target],
                              DOCUMENT if with_document else None)
    out = draw_occluders(image, params)
    inside = _target_pixels(TARGETS[target])
    assert np.array_equal(out[inside], image[inside])


def test_fingers_rest_on_the_document_and_cover_part_of_it():
    covered = []
    document = _target_pixels(DOCUMENT)
    for seed in range(10):
        params = sample_occluders(np.random.default_rng(seed), SIZE_WH, TARGETS["middle"], DOCUMENT)
        changed = np.any(draw_occluders(_image(0), params) != _image(0), axis=2)
        covered.append((changed & document).mean())
    assert np.median(covered) > 0.005 and max(covered) < 0.5  # a fingertip or a few, never the whole sheet


def test_same_generator_state_gives_the_same_hand_and_pixels():
    a = sample_occluders(np.random.default_rng(5), SIZE_WH, TARGETS["middle"], DOCUMENT)
    b = sample_occluders(np.random.default_rng(5), SIZE_WH, TARGETS["middle"], DOCUMENT)
    assert a == b and np.array_equal(draw_occluders(_image(1), a), draw_occluders(_image(1), b))


def test_no_fingers_leave_the_image_unchanged():
    image = _image(2)
    assert draw_occluders(image, OccluderParams()) is image
    assert not occluder_alpha(OccluderParams(), SIZE_WH).any()


def test_a_finger_is_skin_coloured_and_shaded_round():
    finger = Finger(base_xy=(-20.0, 64.0), tip_xy=(80.0, 64.0), width_px=24.0, nail=False)
    params = OccluderParams((finger,), skin_rgb=(200.0, 150.0, 120.0), shadow_strength=0.0)
    out = draw_occluders(np.zeros((128, 192, 3), np.uint8), params)
    axis, edge = out[64, 40].astype(int), out[54, 40].astype(int)  # on the finger's axis and near its rim
    assert axis[0] > axis[1] > axis[2] and axis.sum() > edge.sum() > 0
    assert not out[64, 100].any()  # past the rounded tip at x = 80 + 12


@pytest.mark.parametrize("seed", range(6))
def test_the_shadow_blurred_over_its_box_is_the_whole_frames_shadow(seed):
    params = sample_occluders(np.random.default_rng(seed), SIZE_WH, TARGETS["middle"], DOCUMENT)
    assert params.fingers
    w, h = SIZE_WH
    # The oracle: every finger's coverage, shifted and blurred over the whole frame, as OpenCV does it.
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    coverage = np.zeros((h, w), np.float64)
    for f in params.fingers:
        a, b = np.array(f.base_xy), np.array(f.tip_xy)
        t = np.clip(((xs - a[0]) * (b - a)[0] + (ys - a[1]) * (b - a)[1]) / ((b - a) @ (b - a)), 0, 1)
        distance = np.hypot(xs - (a[0] + t * (b - a)[0]), ys - (a[1] + t * (b - a)[1]))
        coverage = np.maximum(coverage, np.clip(f.width_px / 2 - distance + 0.5, 0, 1))
    dx, dy = params.shadow_offset_xy
    moved = cv2.warpAffine(coverage.astype(np.float32), np.float32([[1, 0, dx], [0, 1, dy]]), (w, h))
    shadow = cv2.GaussianBlur(moved, (0, 0), max(params.shadow_blur_px, 0.5))
    shadow[shadow < 1e-3] = 0
    np.testing.assert_allclose(occluder_alpha(params, SIZE_WH), np.maximum(coverage, params.shadow_strength * shadow),
                               atol=1e-4)


def test_the_shift_over_a_box_is_the_whole_frames_shift_cropped_to_the_byte():
    rng = np.random.default_rng(5)
    w, h = SIZE_WH
    for _ in range(60):
        union = cv2.GaussianBlur(rng.random((h, w), dtype=np.float32), (0, 0), 2.0)
        offset = tuple(float(v) for v in rng.uniform(-6, 6, 2))
        x0, y0 = int(rng.integers(0, w - 1)), int(rng.integers(0, h - 1))
        box = (x0, y0, int(rng.integers(x0 + 1, w + 1)), int(rng.integers(y0 + 1, h + 1)))
        # The oracle: OpenCV's warp of the whole frame, cropped.
        whole = cv2.warpAffine(union, np.float32([[1, 0, offset[0]], [0, 1, offset[1]]]), (w, h),
                               flags=cv2.INTER_LINEAR)
        assert np.array_equal(_shifted(union, offset, box), whole[box[1]:box[3], box[0]:box[2]])


@pytest.mark.parametrize("target", list(TARGETS), ids=list(TARGETS))
def test_a_near_try_is_judged_as_by_the_whole_frames_masks(target):
    rng = np.random.default_rng(11)
    w, h = SIZE_WH
    forbidden = _forbidden_mask(TARGETS[target], SIZE_WH, 2.0)
    bx, by, bw, bh = cv2.boundingRect(forbidden.view(np.uint8))
    verdicts = set()
    for _ in range(120):
        base = OccluderParams(shadow_offset_xy=tuple(float(v) for v in rng.uniform(-8, 8, 2)),
                              shadow_blur_px=float(rng.uniform(0.5, 4)), shadow_strength=0.3)
        tip = rng.uniform([bx - 30, by - 30], [bx + bw + 30, by + bh + 30])
        finger = Finger(tuple(tip + rng.uniform(-150, 150, 2)), tuple(tip), float(rng.uniform(6, 16)))
        # The oracle: the finger's coverage over the whole frame, and its shadow shifted and blurred over the
        # whole frame, as OpenCV does it, on the forbidden pixels.
        coverage = occluder_alpha(OccluderParams((finger,)), SIZE_WH)
        covers = bool((coverage[forbidden] > 0).any())
        assert _covers(finger, forbidden, (bx, by, bx + bw, by + bh)) == covers
        verdicts.add(("covers", covers))
        if covers:
            continue
        dx, dy = base.shadow_offset_xy
        moved = cv2.warpAffine(coverage, np.float32([[1, 0, dx], [0, 1, dy]]), (w, h), flags=cv2.INTER_LINEAR)
        shadow = cv2.GaussianBlur(moved, (0, 0), max(base.shadow_blur_px, 0.5))
        shadow[shadow < 1e-3] = 0
        r = _blur_radius(base.shadow_blur_px)
        near_box = (max(bx - r, 0), max(by - r, 0), min(bx + bw + r, w), min(by + bh + r, h))
        shades = _shades(coverage, base, forbidden, near_box)
        assert shades == bool((shadow[forbidden] > 0).any())
        verdicts.add(("shades", shades))
    assert len(verdicts) == 4  # hits, misses, shadows on the target and beside it all came up


def test_the_nail_is_zero_beyond_its_box():
    rng = np.random.default_rng(3)
    for _ in range(200):
        tip = rng.uniform(0, SIZE_WH)
        finger = Finger(tuple(tip + rng.uniform(-150, 150, 2)), tuple(tip), float(rng.uniform(6, 40)))
        box = _box(finger, SIZE_WH)
        nail = _nail(finger, *_centres(*box))  # the oracle: the nail over the finger's whole box
        x0, y0, x1, y1 = _nail_box(finger, box)
        inside = np.zeros(nail.shape, bool)
        inside[max(y0 - box[1], 0):max(y1 - box[1], 0), max(x0 - box[0], 0):max(x1 - box[0], 0)] = True
        assert not nail[~inside].any()


def test_a_hand_draws_the_same_whatever_the_capsule_cache_holds():
    hands = [sample_occluders(np.random.default_rng(seed), SIZE_WH, TARGETS["middle"], DOCUMENT) for seed in range(6)]
    warm = draw_occluders(_image(3), hands[-1])  # right after sampling it, as the Renderer draws
    _coverage.cache_clear()
    cold = draw_occluders(_image(3), hands[-1])
    others = [draw_occluders(_image(3), hand) for hand in hands]  # its fingers' capsules evicted and rebuilt
    assert hands[-1].fingers and np.array_equal(warm, cold) and np.array_equal(others[-1], cold)
