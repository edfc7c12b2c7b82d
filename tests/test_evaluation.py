"""Corner-error metrics: Euclidean distance per corner in reading order, summaries in pixels and % of width."""

import numpy as np
import pytest

from synthcert.evaluation import corner_errors, summarize

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
    true = np.zeros((1, 4, 2))
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
        summarize(np.zeros((1, 8)), np.zeros((1, 8)), image_width_px=0)
