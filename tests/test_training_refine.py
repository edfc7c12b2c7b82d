"""The refiner's view: neighbourhood canvases cut by a coarse quad, their labels, and the coarse quads drawn.

Labels are checked against marker blobs painted at the label's corners and warped with the pixels only
(tests/oracles.py), never against the homography the code computes.
"""

import numpy as np
import pytest
from oracles import blob_centroids

from synthcert import geometry
from synthcert.datasets.quads import view_problem
from synthcert.training.calibration import fit_calibration
from synthcert.training.refine import (
    Canvas,
    CoarseErrors,
    Neighbourhoods,
    Search,
    canvas_from_image,
    consensus,
    cut_neighbourhood,
    local_errors,
    peak_quads,
    refine_batch,
    sample_coarse_quad,
    search_starts,
    view_boxes,
)

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]  # far apart, even faded


def marker_photo(corners_xy, size_wh, sigma):
    """A black photo with one coloured Gaussian blob centred on each corner (COCO coordinates)."""
    w, h = size_wh
    ys, xs = np.mgrid[0:h, 0:w]
    image = np.zeros((h, w, 3), np.float64)
    for (px, py), colour in zip(corners_xy, COLOURS, strict=True):
        blob = np.exp(-((xs + 0.5 - px) ** 2 + (ys + 0.5 - py) ** 2) / (2 * sigma**2))
        image = np.maximum(image, blob[..., None] * np.array(colour, np.float64))
    return np.round(image).astype(np.uint8)


def rolled_label(centre_xy, width, height, roll_deg):
    """TL, TR, BR, BL of a text box rolled about its centre (y down, positive angles clockwise on screen)."""
    a = np.deg2rad(roll_deg)
    along, across = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
    half = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    return np.array([centre_xy + u * width / 2 * along + v * height / 2 * across for u, v in half])


@pytest.mark.parametrize(
    ("size_wh", "label", "sigma"),
    [
        ((400, 300), rolled_label((200, 150), 120, 30, 8.0), 3.0),
        ((400, 300), rolled_label((200, 150), 120, 30, 180.0), 3.0),  # upside down: TL at the lower right
        ((1600, 1200), rolled_label((800, 600), 480, 120, -20.0), 12.0),  # shrunk 7.5 x by area averaging
    ],
    ids=["slight-roll", "upside-down", "full-resolution-shrunk"],
)
def test_canvas_labels_land_on_the_warped_marker_blobs(size_wh, label, sigma):
    rng = np.random.default_rng(0)
    coarse = sample_coarse_quad(label, CoarseErrors(noise=0.1, miss_p=0.0), rng)
    canvas = Canvas()
    crop, m = cut_neighbourhood(marker_photo(label, size_wh, sigma), coarse, canvas)
    found = np.array(blob_centroids(crop, COLOURS, tolerance=150))
    corners = np.asarray([m @ [x, y, 1.0] for x, y in label])
    np.testing.assert_allclose(found, corners[:, :2] / corners[:, 2:], atol=0.25)


def test_coarse_quad_lands_on_the_canvas_quad_box():
    canvas = Canvas((128, 64), (32.0, 24.0, 96.0, 40.0))
    quad = rolled_label((300, 200), 200, 50, 90.0)
    m = canvas_from_image(quad, canvas)
    p = np.column_stack([quad, np.ones(4)]) @ m.T
    np.testing.assert_allclose(p[:, :2] / p[:, 2:], [[32, 24], [96, 24], [96, 40], [32, 40]], atol=1e-6)


@pytest.mark.parametrize(
    "quad",
    [[[0, 0], [10, 10], [10, 0], [0, 10]], [[0, 0], [0, 10], [10, 10], [10, 0]], [[0, 0], [5, 0], [10, 0], [0, 5]]],
    ids=["crossed", "counter-clockwise", "three-on-a-line"],
)
def test_a_crossed_or_degenerate_coarse_quad_is_refused(quad):
    with pytest.raises(ValueError, match="the coarse quad"):
        canvas_from_image(np.array(quad, float), Canvas())


def test_local_errors_are_along_and_across_the_text_in_text_heights():
    upright = rolled_label((100, 100), 40, 10, 0.0)
    upside_down = rolled_label((100, 100), 40, 10, 180.0)
    moved = np.array([5.0, 0.0])  # 5 px to the right on screen
    np.testing.assert_allclose(local_errors(upright + moved, upright)[0], [[0.5, 0.0]] * 4, atol=1e-12)
    np.testing.assert_allclose(local_errors(upside_down + moved, upside_down)[0], [[-0.5, 0.0]] * 4, atol=1e-12)
    down = np.array([0.0, 2.5])  # down on screen: across the text, towards its bottom when upright
    np.testing.assert_allclose(local_errors(upright + down, upright)[0], [[0.0, 0.25]] * 4, atol=1e-12)


def test_a_replayed_residual_moves_the_label_in_its_own_frame():
    label = rolled_label((200, 200), 80, 20, 90.0)  # text runs down the screen; its bottom faces left
    one_height_down_the_text = np.tile([[0.0, 1.0]], (4, 1))[None]
    errors = CoarseErrors(residuals=one_height_down_the_text, scale_range=(1.0, 1.0), noise=0.0, miss_p=0.0)
    quad = sample_coarse_quad(label, errors, np.random.default_rng(1))
    np.testing.assert_allclose(quad - label, [[-20.0, 0.0]] * 4, atol=1e-9)


def test_drawn_coarse_quads_are_never_crossed_or_folded():

    rng = np.random.default_rng(2)
    label = rolled_label((200, 150), 60, 15, 30.0)
    wild = CoarseErrors(residuals=rng.normal(0, 0.4, (16, 4, 2)), scale_range=(1.0, 3.0), noise=0.3, miss_p=1.0)
    assert all(view_problem(sample_coarse_quad(label, wild, rng)) is None for _ in range(200))


def test_a_folding_stage_one_error_is_redrawn_and_the_label_is_the_last_resort():
    label = rolled_label((200, 150), 60, 15, 0.0)  # 60 x 15 px, upright
    # Bottom-left corner 0.9 text heights up: the left side shrinks to 1.5 px against the right side's 15.
    fold = np.zeros((4, 2))
    fold[3] = [0.0, -0.9]
    shift = np.tile([[0.2, 0.1]], (4, 1))  # the whole quad 3 px right and 1.5 px down: a plausible miss
    exact = {"scale_range": (1.0, 1.0), "noise": 0.0, "miss_p": 0.0}
    rng = np.random.default_rng(5)
    both = CoarseErrors(residuals=np.stack([fold, shift]), **exact)
    for _ in range(20):
        np.testing.assert_allclose(sample_coarse_quad(label, both, rng), label + [3.0, 1.5], atol=1e-9)
    np.testing.assert_array_equal(sample_coarse_quad(label, CoarseErrors(residuals=fold[None], **exact), rng), label)


def test_refine_batches_cut_from_neighbourhoods_match_the_markers():
    label = rolled_label((320, 240), 160, 40, 12.0)
    photo = marker_photo(label, (640, 480), 4.0)
    hoods = Neighbourhoods.from_photos([photo], [label], Canvas())
    assert hoods.images[0].shape[0] < 480  # only the neighbourhood is kept
    images, corners = refine_batch(hoods, [0, 0], CoarseErrors(noise=0.05, miss_p=0.5), Canvas(),
                                   np.random.default_rng(3))
    for image, expected in zip(images, corners, strict=True):
        np.testing.assert_allclose(blob_centroids(image, COLOURS, tolerance=150), expected, atol=0.25)


def test_confidence_falls_as_the_spread_grows_and_matches_the_hit_rate_where_it_is_mixed():
    spreads = np.repeat(np.geomspace(0.02, 1.0, 40)[:, None], 4, axis=1)
    hits = np.arange(40) < 20  # sharp heatmaps hit, wide ones miss
    c = fit_calibration(spreads, hits)
    confidence = c.confidence(spreads)
    assert np.all(np.diff(confidence) <= 0) and confidence[0] > 0.9 and confidence[-1] < 0.1
    assert c.count == 40 and c.hit_rate == 0.5


def test_canvas_refuses_a_quad_box_outside_it():
    with pytest.raises(ValueError, match=r"quad_box = \(0.0, 0.0, 200.0, 10.0\); expected x0 < x1"):
        Canvas((128, 64), (0.0, 0.0, 200.0, 10.0))


def test_stage_one_errors_no_canvas_can_hold_are_left_out_and_draws_stay_within_reach():
    label = rolled_label((200, 150), 80, 20, 0.0)[None]
    turned_round = np.roll(label, 2, axis=1)  # stage 1 read it upside down: every corner two sides off
    nearly = label + [[2.0, 1.0]]  # 0.1 and 0.05 text heights off
    errors = CoarseErrors.from_stage_one(np.concatenate([turned_round, nearly]), np.concatenate([label, label]))
    assert len(errors.residuals) == 1
    np.testing.assert_allclose(errors.residuals[0], [[0.1, 0.05]] * 4)
    wild = CoarseErrors(residuals=np.full((1, 4, 2), 5.0), scale_range=(3.0, 3.0), miss_p=1.0)
    quad = sample_coarse_quad(label[0], wild, np.random.default_rng(4))
    assert np.all(np.abs(local_errors(quad, label[0])) <= np.array(wild.reach) + 1e-9)


@pytest.mark.parametrize("roll_deg", [0.0, 150.0])
def test_search_starts_are_the_coarse_quad_then_rectangles_across_its_lines(roll_deg):
    # Built upright around the origin, then rolled: the expected starts are rolled the same way.
    upright = np.array([[-40, -10], [40, -10], [40, 10], [-40, 10]], float)  # 80 x 20, centre at the origin
    expected = [upright] + [np.array([[-40, -h / 2], [40, -h / 2], [40, h / 2], [-40, h / 2]]) + [0, shift * h]
                            for h in (20.0, 10.0) for shift in (-1.0, 0.0, 1.0)]
    roll = geometry.rotation(roll_deg)
    starts = search_starts(geometry.transform_points(roll, upright) + [300, 200],
                           Search(heights=(1.0, 0.5), shifts=(-1.0, 0.0, 1.0)))
    want = np.stack([geometry.transform_points(roll, e) + [300, 200] for e in expected])
    np.testing.assert_allclose(starts, want, atol=1e-9)


def test_a_folded_coarse_quad_starts_only_the_rectangles():
    folded = np.array([[0, 0], [40, 0], [40, 10], [0, 1.5]])
    starts = search_starts(folded, Search(heights=(1.0,), shifts=(0.0,)))
    assert len(starts) == 1 and view_problem(starts[0]) is None


@pytest.mark.parametrize("zoom", [1.5, 2.0, 3.0])
def test_zoomed_views_are_crops_of_a_zoomth_of_the_sides_that_cover_the_photo(zoom):
    w, h = 400, 300
    boxes = view_boxes((w, h), (zoom,))
    assert boxes[0] == (0, 0, w, h)
    covered = np.zeros((h, w), bool)
    for x0, y0, x1, y1 in boxes[1:]:
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        assert abs((x1 - x0) - w / zoom) <= 0.5 and abs((y1 - y0) - h / zoom) <= 0.5
        covered[y0:y1, x0:x1] = True
    assert covered.all()
    # neighbours overlap, so a number cut by one crop's edge lies whole in the next one
    xs = sorted({b[0] for b in boxes[1:]})
    assert all(b - a < w / zoom / 2 + 1 for a, b in zip(xs, xs[1:], strict=False))


def test_the_search_keeps_the_sharpest_answer_of_those_most_starts_agree_on():
    box = np.array([[0, 0], [40, 0], [40, 10], [0, 10.]])
    # Two answers on the line below, three on `box` (within a quarter of the text height of each other) and
    # a lone one off by 0.6 of it: the sharpest of all is below, the sharpest on `box` is the fourth.
    quads = np.stack([box + [0, 12], box + [0.4, 12], box, box + [1.0, 0.5], box + [0, 1.5], box + [6.0, 0]])
    sharpness = np.array([-5.0, -4.0, -1.0, -2.0, -1.5, -3.0])
    assert consensus(quads, sharpness) == 3
    assert consensus(quads, None) in (2, 3, 4)  # without spreads: one of the three that agree
    assert consensus(quads[[0, 5]], sharpness[[0, 5]]) == 0  # no agreement: the sharpest


def test_other_readings_are_the_likeliest_plausible_mixes_of_corner_peaks_within_the_drop():
    box = np.array([[0, 0], [40, 0], [40, 10], [0, 10.]])
    below = box + [0, 60]
    peaks = np.stack([box, below], axis=1)  # (4 corners, 2 peaks, 2): each corner torn between two lines
    log_p = np.log(np.tile([0.7, 0.3], (4, 1)))
    readings = peak_quads(peaks, log_p, count=5, max_drop=10.0)
    # The 15 mixes of the two lines' corners, by hand: one or three second peaks fold the box (one side 7 x
    # the other) or cross it; of the six with two, swapping the top or the diagonal corners crosses it or turns
    # it counter-clockwise, which leaves the tall box and two leaning ones; then the lower line (four).
    tall = np.stack([box[0], box[1], below[2], below[3]])
    leaning_right = np.stack([box[0], below[1], below[2], box[3]])
    leaning_left = np.stack([below[0], box[1], box[2], below[3]])
    assert len(readings) == 4
    for got, want in zip(readings, [tall, leaning_right, leaning_left, below], strict=True):
        np.testing.assert_allclose(got, want)  # equally probable readings in the corners' order
    # A drop smaller than four second peaks' cost (4 ln(7/3) = 3.4 nats) leaves the lower line out.
    assert len(peak_quads(peaks, log_p, count=5, max_drop=3.0)) == 3
    assert len(peak_quads(peaks, log_p, count=1, max_drop=10.0)) == 1
