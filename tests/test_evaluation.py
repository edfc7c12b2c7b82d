"""Corner-error metrics on hand-built quads with known answers: pixels, % of width, % of text height, hits."""

import numpy as np
import pytest

from synthcert.evaluation import corner_errors, photo_errors, summarize, text_height_px

BOX = [[10.0, 20.0], [60.0, 20.0], [60.0, 35.0], [10.0, 35.0]]


@pytest.mark.parametrize(
    ("shift_xy", "expected"),
    [((0.0, 0.0), 0.0), ((3.0, 4.0), 5.0), ((-1.5, 0.0), 1.5), ((0.0, -2.0), 2.0)],
    ids=["exact", "3-4-5", "left", "up"],
)
def test_corner_error_is_euclidean_distance_of_each_corner(shift_xy, expected):
    pred = np.array(BOX) + shift_xy
    np.testing.assert_allclose(corner_errors(pred[None], np.array(BOX)[None]), [[expected] * 4])


def test_flat_and_corner_shaped_inputs_give_the_same_errors():
    pred = np.array(BOX)[None] + [[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [3.0, 4.0]]
    np.testing.assert_allclose(corner_errors(pred.reshape(1, 8), np.array(BOX).reshape(1, 8)), [[1, 2, 0, 5]])


def test_same_box_listed_from_another_corner_counts_as_wrong():
    started_at_tr = np.roll(np.array(BOX), -1, axis=0)
    assert corner_errors(started_at_tr[None], np.array(BOX)[None]).min() >= 15.0


def test_summary_reports_pixels_percent_of_width_and_the_training_loss():
    true = np.array([BOX, BOX])
    pred = true + [[[3.0, 4.0]] * 4, [[0.0, 1.0]] * 4]
    m = summarize(pred, true, image_width_px=200)
    assert m["count"] == 2
    assert m["mean_px"] == pytest.approx(3.0)
    assert m["median_px"] == pytest.approx(3.0)
    assert m["max_px"] == pytest.approx(5.0)
    assert m["mean_pct_width"] == pytest.approx(1.5)
    assert m["coordinate_mae_px"] == pytest.approx((3 + 4 + 0 + 1) / 4)


def test_zero_coordinates_are_measured_like_any_other():
    true = np.array([[[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]])
    assert summarize(true + 2.0, true, image_width_px=100)["coordinate_mae_px"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("pred", "true", "match"),
    [
        (np.zeros((2, 8)), np.zeros((3, 8)), r"pred_xy has shape \(2, 4, 2\) but true_xy has \(3, 4, 2\)"),
        (np.zeros((2, 6)), np.zeros((2, 6)), r"got shape \(2, 6\); expected \(N, 8\) or \(N, 4, 2\)"),
    ],
    ids=["count-mismatch", "not-four-corners"],
)
def test_bad_shapes_are_refused_with_what_was_received(pred, true, match):
    with pytest.raises(ValueError, match=match):
        corner_errors(pred, true)


def test_summary_refuses_a_non_positive_width():
    with pytest.raises(ValueError, match="image_width_px = 0; expected the positive width"):
        summarize(np.array([BOX]), np.array([BOX]), image_width_px=0)


def test_summary_refuses_a_label_of_zero_height():
    with pytest.raises(ValueError, match=r"labels \[0\] have zero text height"):
        summarize(np.zeros((1, 8)), np.zeros((1, 8)), image_width_px=10)


@pytest.mark.parametrize(
    ("quad", "expected"),
    [
        (BOX, 15.0),
        ([[0, 0], [40, 0], [40, 10], [0, 12]], 11.0),  # left side 12, right side 10
        ([[30, 40], [30, 0], [40, 0], [40, 40]], 10.0),  # rotated 90 degrees: the sides are 10 long
        ([[0, 0], [30, 40], [22, 46], [-8, 6]], 10.0),  # 3-4-5 slant: sides (-8, 6) and (-8, 6)
    ],
    ids=["upright", "perspective", "rolled-90", "slanted"],
)
def test_text_height_is_the_mean_length_of_the_left_and_right_sides(quad, expected):
    assert text_height_px([quad]) == pytest.approx([expected])


def test_errors_in_percent_of_text_height_and_width_per_photo():
    true = np.array([BOX, np.array(BOX) * 2])  # text heights 15 and 30, photos 100 and 400 wide
    pred = true + [[[3.0, 0.0]] * 4, [[0.0, 6.0]] * 4]
    e = photo_errors(pred, true, image_width_px=[100, 400])
    np.testing.assert_allclose(e["pct_text_height"], [[20.0] * 4, [20.0] * 4])
    np.testing.assert_allclose(e["pct_width"], [[3.0] * 4, [1.5] * 4])
    np.testing.assert_allclose(e["text_height_px"], [15.0, 30.0])


@pytest.mark.parametrize(
    ("moved_px", "hit"),
    [(0.0, True), (3.75, True), (3.76, False), (10.0, False)],
    ids=["exact", "a-quarter-of-15-px", "just-over-a-quarter", "a-line-off"],
)
def test_a_photo_hits_when_every_corner_is_within_a_quarter_of_the_text_height(moved_px, hit):
    pred = np.array(BOX)
    pred[2, 1] += moved_px  # only BR moves; the others are exact
    assert photo_errors(pred[None], np.array([BOX]), 100)["hit"].tolist() == [hit]


def test_hit_rate_is_the_share_of_photos_that_hit():
    true = np.array([BOX] * 4)
    pred = true + np.array([0.0, 1.0, 5.0, 20.0])[:, None, None]  # 0, 1.4, 7.1, 28 px off per corner
    m = summarize(pred, true, image_width_px=100)
    assert (m["hits"], m["hit_rate"]) == (2, 0.5)
    assert m["max_pct_text_height"] == pytest.approx(100 * np.hypot(20, 20) / 15)
