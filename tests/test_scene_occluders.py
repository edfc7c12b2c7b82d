"""Tests of synthcert.scene.occluders: fingers over the document, never over the target."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthcert.scene.occluders import (
    SKIN_DARK,
    SKIN_LIGHT,
    Finger,
    OccluderParams,
    _blur_radius,
    _box,
    _centres,
    _coverage,
    _covers,
    _cut_tail,
    _forbidden_mask,
    _masks,
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


def _first_try_hand(rng: np.random.Generator, quad: np.ndarray | None) -> tuple[tuple, tuple]:
    """The oracle: the hand's colours and every finger's first try drawn with NumPy's own Generator calls and (2,)
    arrays, as the sampler computed them before it drew scalars through `draws`."""
    size = float(min(SIZE_WH))
    t = float(rng.uniform(0, 1))
    skin = (1 - t) * SKIN_LIGHT + t * SKIN_DARK + rng.uniform(-12, 12, 3)
    look = (tuple(float(v) for v in np.clip(skin, 0, 255)), tuple(float(v) for v in rng.uniform(-0.03, 0.03, 2) * size),
            float(rng.uniform(0.01, 0.03) * size), float(rng.uniform(0.15, 0.45)))
    if quad is None:
        w, h = SIZE_WH
        side, t = int(rng.integers(4)), float(rng.uniform(0.1, 0.9))
        point = np.array([[t * w, 0], [w, t * h], [t * w, h], [0, t * h]][side], np.float64)
        inward = np.array([w / 2, h / 2]) - point
    else:
        k = int(rng.integers(4))
        a, b = quad[k], quad[(k + 1) % 4]
        t = float(rng.choice([rng.uniform(0.0, 0.15), rng.uniform(0.15, 0.85), rng.uniform(0.85, 1.0)]))
        point = a + t * (b - a)
        inward = quad.mean(axis=0) - point
    inward = inward / max(float(np.linalg.norm(inward)), 1e-9)
    width = float(rng.uniform(0.07, 0.13) * size)
    along = np.array([-inward[1], inward[0]])
    count = int(rng.integers(1, 5))
    fingers = []
    for k in range(count):
        offset = (k - (count - 1) / 2) * width * rng.uniform(1.0, 1.25) + rng.normal(0, 0.2 * width)
        angle = rng.normal(0, 12) + (25 if k == 0 and count > 1 else 0) * rng.choice([-1, 1])
        c, s = np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))
        direction = np.array([c * inward[0] - s * inward[1], s * inward[0] + c * inward[1]])
        tip = point + offset * along + direction * rng.uniform(0.3, 2.5) * width
        length = rng.uniform(0.8, 1.6) * size
        fingers.append(((*(tip - direction * length).tolist(), *tip.tolist()),
                        width * float(rng.uniform(0.85, 1.1)), bool(rng.random() < 0.7)))
    return look, tuple(fingers)


@pytest.mark.parametrize("seed", range(200))
@pytest.mark.parametrize("with_document", [True, False], ids=["on-document", "from-border"])
def test_scalar_draws_give_numpys_hand(seed, with_document):
    # A target far outside the image lets every first try stand, so the hand is the draws' geometry alone.
    away, document = TARGETS["middle"] - 1000.0, DOCUMENT if with_document else None
    params = sample_occluders(np.random.default_rng(seed), SIZE_WH, away, document)
    look, fingers = _first_try_hand(np.random.default_rng(seed), document)
    assert (params.skin_rgb, params.shadow_offset_xy, params.shadow_blur_px, params.shadow_strength) == look
    assert tuple(((*f.base_xy, *f.tip_xy), f.width_px, f.nail) for f in params.fingers) == fingers


def test_pixel_centres_are_n_plus_a_half_and_read_only():
    rng = np.random.default_rng(4)
    for _ in range(300):
        x0, y0 = (int(v) for v in rng.integers(0, 600, 2))
        x1, y1 = x0 + int(rng.integers(0, 700)), y0 + int(rng.integers(0, 700))
        xs, ys = _centres(x0, y0, x1, y1)
        assert xs.shape == (1, x1 - x0) and ys.shape == (y1 - y0, 1) and xs.dtype == ys.dtype == np.float32
        assert np.array_equal(xs[0], np.arange(x0, x1) + 0.5) and np.array_equal(ys[:, 0], np.arange(y0, y1) + 0.5)
        assert not xs.flags.writeable and not ys.flags.writeable


def _drawn_over_whole_boxes(image: np.ndarray, params: OccluderParams) -> np.ndarray:
    """The oracle: the shadow over the whole frame, then every finger's shade, nail and blend over its whole box,
    with the same per-pixel float32 formulas and no pixel lists."""
    out = image.astype(np.float32)
    hand, _, shadow, (bx0, by0, bx1, by1) = _masks(params, SIZE_WH)
    out[by0:by1, bx0:bx1] *= (1.0 - shadow)[..., None]
    skin = np.array(params.skin_rgb, np.float32)
    for f, ((x0, y0, x1, y1), alpha, dist, t) in zip(params.fingers, hand, strict=True):
        shade = (1.08 - 0.35 * np.clip(dist / (f.width_px / 2), 0, 1) ** 2) * (0.9 + 0.1 * t)
        colour = skin * shade[..., None]
        if f.nail:
            nail = _nail(f, *_centres(x0, y0, x1, y1))[..., None]  # zero beyond its box (a test above)
            colour = colour * (1 - nail) + np.minimum(skin * 1.15 + 20, 255) * nail
        region = out[y0:y1, x0:x1]
        region[...] = np.where(alpha[..., None] > 0, region * (1 - alpha[..., None]) + colour * alpha[..., None],
                               region)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", range(40))
def test_a_hand_draws_as_over_whole_boxes(seed):
    params = sample_occluders(np.random.default_rng(seed), SIZE_WH, TARGETS["middle"], DOCUMENT if seed % 2 else None)
    image = _image(seed)
    assert params.fingers and np.array_equal(draw_occluders(image, params), _drawn_over_whole_boxes(image, params))


def test_the_shadows_tail_is_cut_below_1e_3_as_a_comparison_cuts_it():
    near = np.float32(1e-3)
    edges = [0.0, np.nextafter(near, np.float32(0)), near, np.nextafter(near, np.float32(1)), 5e-4, 0.5, 1.0, 1e-30]
    soft = np.concatenate([np.array(edges, np.float32), np.random.default_rng(0).random(3992, np.float32) ** 8])
    expected = soft.copy()
    expected[expected < 1e-3] = 0.0  # the oracle: the plain comparison
    cut = _cut_tail(soft.reshape(40, -1).copy())
    assert cut.dtype == np.float32 and np.array_equal(cut.reshape(-1), expected)
    assert cut.reshape(-1)[2] == near and cut.reshape(-1)[1] == 0  # 1e-3 itself stays, the float below goes
