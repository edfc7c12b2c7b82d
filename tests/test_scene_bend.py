"""Tests of synthcert.scene.bend: paper deformations whose labels move exactly with the pixels.

The independent check: paint a small marker blob at a label point, warp only the image with the remap
maps, find the blob's centroid in the pixels and compare it with `bend_points`.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthcert.scene.bend import (
    FIELD_STEPS,
    FIELD_TOLERANCE_PX,
    GAIN_TOLERANCE,
    MAX_GRADIENT,
    BendComponent,
    BendParams,
    apply_bend,
    bend_maps,
    bend_points,
    displacement,
    displacement_jacobian,
    field_step,
    sample_bend,
)

SIZE_WH = (160, 120)
CASES = {
    "bend": BendParams((BendComponent("bend", (70.0, 60.0), 20.0, 110.0, amplitude_px=6.0, scale_px=30.0),)),
    "curl": BendParams((BendComponent("curl", (100.0, 50.0), 80.0, 170.0, slope=0.45, scale_px=5.0,
                                      extent_px=25.0),)),
    "fold": BendParams((BendComponent("fold", (80.0, 60.0), 100.0, 160.0, slope=0.3, scale_px=2.0),)),
    "all-three": BendParams((
        BendComponent("bend", (40.0, 40.0), -30.0, 60.0, amplitude_px=-5.0, scale_px=25.0),
        BendComponent("curl", (120.0, 90.0), 0.0, 90.0, slope=0.25, scale_px=4.0, extent_px=20.0),
        BendComponent("fold", (80.0, 60.0), 45.0, 0.0, slope=0.15, scale_px=1.5),
    )),
}
POINTS = np.array([[30.5, 25.0], [80.0, 60.0], [101.3, 48.7], [126.0, 94.2], [60.0, 100.0], [120.0, 30.0]])


def _blob_centroid(image: np.ndarray, near_xy: np.ndarray, radius: int = 9) -> np.ndarray:
    """Weighted centre (COCO coordinates) of the blob around `near_xy` in a float image."""
    x, y = np.round(near_xy).astype(int)
    y0, y1, x0, x1 = max(y - radius, 0), y + radius + 1, max(x - radius, 0), x + radius + 1
    window = image[y0:y1, x0:x1]
    ys, xs = np.mgrid[y0:y0 + window.shape[0], x0:x0 + window.shape[1]]
    return np.array([(window * (xs + 0.5)).sum(), (window * (ys + 0.5)).sum()]) / window.sum()


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_marker_blobs_land_where_bend_points_says(name):
    params = CASES[name]
    w, h = SIZE_WH
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    map_x, map_y, _ = bend_maps(params, (0, 0, *SIZE_WH))
    moved = bend_points(params, POINTS)
    for q, p in zip(POINTS, moved, strict=True):
        blob = np.exp(-((xs - q[0]) ** 2 + (ys - q[1]) ** 2) / (2 * 1.2**2)).astype(np.float32)  # centre at q
        warped = cv2.remap(blob, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        assert np.linalg.norm(_blob_centroid(warped, p) - p) < 0.5, (q, p)


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_bend_points_solve_p_plus_d_of_p_equals_q_to_a_micro_pixel(name):
    params = CASES[name]
    moved = bend_points(params, POINTS)
    assert np.abs(moved + displacement(params, moved) - POINTS).max() < 1e-6


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_jacobian_matches_finite_differences(name):
    params, eps = CASES[name], 1e-4
    numeric = np.stack([(displacement(params, POINTS + eps * e) - displacement(params, POINTS - eps * e)) / (2 * eps)
                        for e in np.eye(2)], axis=2)
    assert np.allclose(displacement_jacobian(params, POINTS), numeric, atol=1e-6)


def test_flat_paper_gives_identity_maps_and_unchanged_points_and_pixels():
    map_x, map_y, _ = bend_maps(BendParams(), (0, 0, *SIZE_WH))
    ys, xs = np.mgrid[0:SIZE_WH[1], 0:SIZE_WH[0]]
    assert np.array_equal(map_x, xs.astype(np.float32)) and np.array_equal(map_y, ys.astype(np.float32))
    assert np.array_equal(bend_points(BendParams(), POINTS), POINTS)
    image = np.random.default_rng(0).integers(0, 255, (SIZE_WH[1], SIZE_WH[0], 3), dtype=np.uint8)
    assert apply_bend(image, BendParams()) is image


def test_components_too_strong_to_invert_are_refused():
    strong = BendComponent("fold", (0.0, 0.0), 0.0, 90.0, slope=0.7, scale_px=1.0)
    with pytest.raises(ValueError, match=r"add up to 1\.400; expected < 1.*lower amplitude_px or slope"):
        BendParams((strong, strong))
    with pytest.raises(ValueError, match="kind = 'twist'"):
        BendComponent("twist", (0.0, 0.0), 0.0, 0.0)


@pytest.mark.parametrize("seed", range(6))
def test_sampled_bends_are_invertible_and_reproducible(seed):
    quad = np.array([[20.0, 15.0], [140.0, 25.0], [135.0, 105.0], [25.0, 100.0]]) if seed % 2 else None
    params = sample_bend(np.random.default_rng(seed), SIZE_WH, quad, strength=2.0)
    assert params == sample_bend(np.random.default_rng(seed), SIZE_WH, quad, strength=2.0)
    assert sum(c.gradient_bound for c in params.components) <= MAX_GRADIENT + 1e-9
    moved = bend_points(params, POINTS)
    assert np.abs(moved + displacement(params, moved) - POINTS).max() < 1e-6


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_interpolated_maps_follow_the_exact_field_within_a_tenth_of_a_pixel(name):
    params = CASES[name]
    box = (3, 5, 151, 117)
    map_x, map_y, _ = bend_maps(params, box)
    ys, xs = np.mgrid[box[1]:box[3], box[0]:box[2]] + 0.5
    exact = displacement(params, np.column_stack([xs.ravel(), ys.ravel()])).reshape(*xs.shape, 2)
    assert map_x.shape == xs.shape
    # The crease of "fold" (slope 0.3 over 2 px, sharper than any sampled one) is the least smooth part.
    assert np.abs(map_x + 0.5 - xs - exact[..., 0]).max() < 0.08
    assert np.abs(map_y + 0.5 - ys - exact[..., 1]).max() < 0.08


def _exact_gain(params: BendParams, xy: np.ndarray) -> np.ndarray:
    """The shading of folds and curls at (N, 2) points, from the model's definition, point by point."""
    gain = np.ones(len(xy))
    for c in params.components:
        a = np.deg2rad(c.angle_deg)
        s = (xy - c.centre_xy) @ np.array([-np.sin(a), np.cos(a)])
        if c.kind == "fold":
            gain *= 1 - 0.5 * c.shade * (1 + np.tanh(s / c.scale_px))
        elif c.kind == "curl":
            def sigmoid(z):
                return 1 / (1 + np.exp(-z))
            gain *= 1 - c.shade * (sigmoid(s / c.scale_px) - sigmoid((s - c.extent_px) / c.scale_px))
    return gain


@pytest.mark.parametrize("seed", range(12))
def test_a_coarser_field_grid_stays_within_its_tolerances_at_every_pixel(seed):
    # Sampled bends at 384 x 256: the grid step is chosen per sample from the components' curvature; measured
    # against the field evaluated exactly at every pixel centre, a coarse step must keep its promise.
    quad = np.array([[30.0, 20.0], [350.0, 40.0], [340.0, 230.0], [40.0, 220.0]])
    params = sample_bend(np.random.default_rng(seed), (384, 256), quad)
    box = (7, 3, 381, 250)
    map_x, map_y, gain = bend_maps(params, box)
    ys, xs = np.mgrid[box[1]:box[3], box[0]:box[2]] + 0.5
    centres = np.column_stack([xs.ravel(), ys.ravel()])
    exact = displacement(params, centres).reshape(*xs.shape, 2)
    error = max(np.abs(map_x + 0.5 - xs - exact[..., 0]).max(), np.abs(map_y + 0.5 - ys - exact[..., 1]).max())
    gain_error = 0.0 if gain is None else np.abs(gain - _exact_gain(params, centres).reshape(xs.shape)).max()
    if field_step(params) > FIELD_STEPS[-1]:
        assert error <= FIELD_TOLERANCE_PX + 1e-4 and gain_error <= GAIN_TOLERANCE + 1e-5, (error, gain_error)
    else:  # the finest step, for the sharpest folds: a crease's kink is then the least smooth part
        assert error < 0.08, error


def test_gentle_bends_get_a_coarse_grid_and_sharp_folds_the_finest():
    gentle = BendParams((BendComponent("bend", (100.0, 100.0), 0.0, 90.0, amplitude_px=5.0, scale_px=100.0),))
    crease = BendParams((BendComponent("fold", (100.0, 100.0), 0.0, 90.0, slope=0.08, scale_px=1.0, shade=0.1),))
    assert field_step(gentle) == FIELD_STEPS[0] and field_step(crease) == FIELD_STEPS[-1]


def test_a_sheet_bent_at_the_frame_edge_pulls_transparency_not_a_mirror_image():
    # A layer whose left part is transparent: a bend pulling from there must give nothing, not its mirror.
    layer = np.zeros((SIZE_WH[1], SIZE_WH[0], 4), np.uint8)
    layer[:, 20:] = 255
    params = BendParams((BendComponent("bend", (10.0, 60.0), 90.0, 180.0, amplitude_px=8.0, scale_px=60.0),))
    out = apply_bend(layer, params)
    assert out[60, :3, 3].max() == 0  # the edge moved right: the pixels at the frame edge are empty
    pulled = apply_bend(layer[:, 20:], params, (0, 0, 140, 120), origin_xy=(20, 0))
    assert pulled[60, :3, 3].max() == 0 and pulled[60, 30:, 3].min() == 255


def test_apply_bend_keeps_shape_and_dtype_and_shades_a_fold():
    image = np.full((SIZE_WH[1], SIZE_WH[0], 3), 200, np.uint8)
    params = BendParams((BendComponent("fold", (80.0, 60.0), 90.0, 0.0, slope=0.1, scale_px=2.0, shade=0.2),))
    out = apply_bend(image, params)
    assert out.shape == image.shape and out.dtype == np.uint8
    # The crease runs vertically through x = 80: one side keeps its brightness, the other is darker.
    assert abs(int(out[60, 150, 0]) - 200) <= 1 and int(out[60, 10, 0]) < 170


def _drawn_with_numpys_calls(rng: np.random.Generator, quad: np.ndarray | None) -> BendParams:
    """The oracle: `sample_bend` (default kinds, count and strength) with NumPy's own Generator calls, as it
    drew before its scalar draws went through `synthcert.draws`."""
    w, h = SIZE_WH
    size = float(min(w, h))
    components = []
    for _ in range(int(rng.integers(1, 3))):
        kind = ("bend", "curl", "fold")[int(rng.integers(3))]
        if quad is None:
            centre, angle = tuple(rng.uniform([0.15 * w, 0.15 * h], [0.85 * w, 0.85 * h])), float(rng.uniform(0, 180))
        else:
            k = int(rng.integers(4))
            a, b = quad[k], quad[(k + 1) % 4]
            angle = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))
            if kind == "curl":
                point = a + rng.uniform(0.2, 0.8) * (b - a)
                rad = np.deg2rad(angle)
                angle += 180.0 if np.array([-np.sin(rad), np.cos(rad)]) @ (point - quad.mean(axis=0)) < 0 else 0.0
                centre = tuple(point)
            elif kind == "fold":
                centre = tuple(a + 0.5 * (b - a) + float(rng.choice([1 / 3, 1 / 2, 2 / 3])) * (quad[(k + 3) % 4] - a))
            else:
                centre = tuple(rng.dirichlet(np.ones(4)) @ quad)
        if kind == "bend":
            scale = float(rng.uniform(0.25, 0.6) * size)
            amplitude = float(rng.uniform(0.01, 0.035) * size * rng.choice([-1, 1]))
            components.append(BendComponent(kind, centre, angle, angle + 90, amplitude_px=amplitude, scale_px=scale))
        elif kind == "curl":
            extent = float(rng.uniform(0.08, 0.25) * size)
            if quad is not None:
                a = np.deg2rad(angle)
                centre = tuple(np.asarray(centre) - extent * np.array([-np.sin(a), np.cos(a)]))
            components.append(BendComponent(kind, centre, angle, angle + 90, slope=float(rng.uniform(0.08, 0.3)),
                                            scale_px=float(rng.uniform(0.02, 0.06) * size), extent_px=extent,
                                            shade=float(rng.uniform(0.0, 0.2))))
        else:
            components.append(BendComponent(kind, centre, angle, angle + 90 + float(rng.uniform(-60, 60)),
                                            slope=float(rng.uniform(0.02, 0.08)),
                                            scale_px=float(rng.uniform(0.004, 0.02) * size),
                                            shade=float(rng.uniform(0.03, 0.15))))
    return BendParams(tuple(components))


@pytest.mark.parametrize("with_document", [True, False], ids=["on-document", "anywhere"])
def test_scalar_draws_give_numpys_bends(with_document):
    quad = np.array([[20.0, 15.0], [140.0, 22.0], [135.0, 105.0], [16.0, 98.0]]) if with_document else None
    for seed in range(400):
        expected = _drawn_with_numpys_calls(np.random.default_rng(seed), quad)
        if sum(c.gradient_bound for c in expected.components) > MAX_GRADIENT:
            continue  # scaled down together: the same for both, and not what this compares
        assert sample_bend(np.random.default_rng(seed), SIZE_WH, quad) == expected, seed
