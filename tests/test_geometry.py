import cv2
import numpy as np
import pytest

from synthcert import geometry

MATRICES = {
    "identity": np.eye(3),
    "scale_then_shift": geometry.translation(5, -3) @ geometry.scaling(2.0, 0.5),
    "rotation_37": geometry.rotation(37.0),
    "camera": geometry.translation(100, 80) @ geometry.camera_homography(20, -15, 10, 300, 1.5),
}


@pytest.mark.parametrize("m", MATRICES.values(), ids=MATRICES.keys())
def test_transform_points_matches_opencv(m):
    xy = np.array([[0.0, 0.0], [0.25, 0.75], [-1.0, 2.0], [0.3, -0.1]])
    expected = cv2.perspectiveTransform(xy[None], m)[0]
    np.testing.assert_allclose(geometry.transform_points(m, xy), expected, atol=1e-9)


def test_opencv_from_coco_agrees_with_opencv_resize():
    # cv2.resize samples with half-pixel centres, i.e. it is the COCO-consistent scaling: an independent pin.
    img = np.random.default_rng([1, 2]).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    m = geometry.opencv_from_coco(geometry.scaling(2.0))
    warped = cv2.warpPerspective(img, m, (60, 40), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    resized = cv2.resize(img, (60, 40), interpolation=cv2.INTER_LINEAR)
    assert np.abs(warped.astype(int) - resized.astype(int)).max() <= 1


def test_pixel_covering_unit_square_maps_to_its_own_pixel_under_integer_shift():
    img = np.zeros((10, 10), np.uint8)
    img[2, 3] = 255  # covers [3, 4) x [2, 3)
    warped = cv2.warpPerspective(img, geometry.opencv_from_coco(geometry.translation(4, 1)), (10, 10))
    assert np.argwhere(warped == 255).tolist() == [[3, 7]]


def test_point_conversion_puts_a_pixels_coco_centre_where_opencv_draws_that_pixel():
    # OpenCV paints a 1-px dot at an integer position into exactly one pixel: that pixel's COCO centre
    # (column + 0.5, row + 0.5) must convert to the dot's position.
    img = np.zeros((10, 10), np.uint8)
    (x, y), = geometry.opencv_from_coco_xy([[3.5, 2.5]])
    cv2.circle(img, (int(x), int(y)), 0, 255, -1)
    assert (x, y) == (3.0, 2.0) and np.argwhere(img == 255).tolist() == [[2, 3]]
    np.testing.assert_array_equal(geometry.coco_from_opencv_xy([[x, y]]), [[3.5, 2.5]])


@pytest.mark.parametrize("m", MATRICES.values(), ids=MATRICES.keys())
def test_point_conversion_commutes_with_the_matrix_conversion(m):
    xy = np.array([[0.0, 0.0], [12.5, 3.25], [-4.0, 9.0]])
    converted_first = geometry.transform_points(geometry.opencv_from_coco(m), geometry.opencv_from_coco_xy(xy))
    converted_last = geometry.opencv_from_coco_xy(geometry.transform_points(m, xy))
    np.testing.assert_allclose(converted_first, converted_last, atol=1e-9)


def test_camera_without_tilt_or_roll_is_a_uniform_scale():
    m = geometry.camera_homography(0, 0, 0, focal_px=400, distance=2)
    np.testing.assert_allclose(m / m[2, 2], geometry.scaling(200), atol=1e-12)


def test_roll_of_90_degrees_turns_x_into_y():
    m = geometry.camera_homography(0, 0, 90, focal_px=1, distance=1)
    np.testing.assert_allclose(geometry.transform_points(m, [[1, 0]]), [[0, 1]], atol=1e-12)


def test_rect_corners_are_in_reading_order():
    assert geometry.rect_corners_xy((1, 2, 5, 7)).tolist() == [[1, 2], [5, 2], [5, 7], [1, 7]]


def test_inverse_then_apply_gives_back_the_points():
    m = MATRICES["camera"]
    xy = np.array([[3.0, 4.0], [10.0, -2.0]])
    back = geometry.transform_points(np.linalg.inv(m), geometry.transform_points(m, xy))
    np.testing.assert_allclose(back, xy, atol=1e-9)


def test_nearest_parallelogram_is_the_least_squares_fit_over_all_parallelograms():
    rng = np.random.default_rng(0)
    for _ in range(20):
        quad = rng.uniform(0, 100, (4, 2))
        fit = geometry.nearest_parallelogram(quad)
        np.testing.assert_allclose(fit[0] + fit[2], fit[1] + fit[3], atol=1e-9)
        # independently: a parallelogram is TL, TR, BL free and BR = TR + BL - TL; solve for them by lstsq
        a = np.zeros((8, 6))
        for k, (tl, tr, bl) in enumerate([(1, 0, 0), (0, 1, 0), (-1, 1, 1), (0, 0, 1)]):
            for axis in (0, 1):
                a[2 * k + axis, [axis, 2 + axis, 4 + axis]] = tl, tr, bl
        p = np.linalg.lstsq(a, quad.reshape(-1), rcond=None)[0]
        np.testing.assert_allclose(fit.reshape(-1), a @ p, atol=1e-9)
    square = geometry.rect_corners_xy((3, 4, 30, 12))
    np.testing.assert_allclose(geometry.nearest_parallelogram(square), square)  # one already is its own fit


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_quarter_turn_says_where_np_rot90_puts_each_pixel(turns):
    image = np.zeros((30, 40), np.uint8)  # not square: each turn swaps the sides
    image[7, 11] = 1  # the pixel covering [11, 12) x [7, 8)
    (row, col), = np.argwhere(np.rot90(image, turns))
    moved = geometry.transform_points(geometry.quarter_turn((40, 30), turns), [[11.5, 7.5]])
    np.testing.assert_allclose(moved, [[col + 0.5, row + 0.5]])


def test_max_scale_is_the_largest_edge_stretch_of_the_quad():
    # The oracle: every edge's length after and before the homography, in numpy, not the function's own arithmetic.
    rng = np.random.default_rng(0)
    for _ in range(300):
        m = np.eye(3) + rng.normal(0, 0.2, (3, 3))
        m[2] = [rng.normal(0, 1e-3), rng.normal(0, 1e-3), 1.0]
        quad = rng.uniform(0, 400, (4, 2))
        moved = geometry.transform_points(m, quad)
        stretch = (np.linalg.norm(np.roll(moved, -1, axis=0) - moved, axis=1)
                   / np.linalg.norm(np.roll(quad, -1, axis=0) - quad, axis=1))
        assert geometry.max_scale(m, quad) == pytest.approx(stretch.max(), rel=1e-9)
    assert geometry.max_scale(geometry.scaling(2.0, 3.0), geometry.rect_corners_xy((0, 0, 10, 5))) == 3.0
