"""Fitting photos into the model input: corners must move exactly as the pixels do (COCO, no half-pixel shift)."""

import numpy as np
import pytest

from synthcert.training.letterbox import letterbox, plan_letterbox

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]


def paint_blobs(size_wh, centres_xy, sigma_px):
    """Gaussian blobs centred on COCO points (pixel i's centre is i + 0.5), one colour each."""
    w, h = size_wh
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    image = np.zeros((h, w, 3), np.float64)
    for (x, y), colour in zip(centres_xy, COLOURS, strict=False):
        image += np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * sigma_px**2))[..., None] * colour
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def centroid_near(image, xy, radius_px):
    """Intensity-weighted centre (COCO) of the pixels within `radius_px` of `xy`."""
    ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]] + 0.5
    weight = image.astype(np.float64).sum(axis=2) * (np.hypot(xs - xy[0], ys - xy[1]) < radius_px)
    return np.array([(weight * xs).sum() / weight.sum(), (weight * ys).sum() / weight.sum()])


@pytest.mark.parametrize(
    ("image_wh", "input_wh"),
    [((600, 400), (192, 128)), ((333, 517), (192, 128)), ((96, 64), (192, 128)), ((1000, 300), (96, 64))],
    ids=["shrink-same-aspect", "shrink-portrait-odd", "enlarge", "shrink-wide"],
)
def test_corners_land_where_marker_blobs_land(image_wh, input_wh):
    w, h = image_wh
    points = np.array([[0.15 * w, 0.3 * h], [0.85 * w, 0.35 * h], [0.8 * w, 0.7 * h], [0.2 * w, 0.65 * h]]) + 0.37
    scale = min(input_wh[0] / w, input_wh[1] / h)
    image = paint_blobs(image_wh, points, sigma_px=1.5 / scale)
    out, box = letterbox(image, input_wh)
    assert out.shape == (input_wh[1], input_wh[0], 3)
    for expected in box.to_input(points):
        np.testing.assert_allclose(centroid_near(out, expected, radius_px=5), expected, atol=0.05)


@pytest.mark.parametrize(
    ("image_wh", "input_wh", "image_xy", "input_xy"),
    [
        ((384, 256), (192, 128), [[0, 0], [384, 256], [100, 50]], [[0, 0], [192, 128], [50, 25]]),
        ((400, 400), (192, 128), [[0, 0], [400, 400], [200, 100]], [[32, 0], [160, 128], [96, 32]]),
        ((96, 32), (192, 128), [[0, 0], [96, 32], [0.5, 0.5]], [[0, 32], [192, 96], [1, 33]]),
    ],
    ids=["halve", "square-into-wide-pads-left-right", "double-pads-top-bottom"],
)
def test_resize_by_s_maps_x_to_s_x_plus_padding(image_wh, input_wh, image_xy, input_xy):
    box = plan_letterbox(image_wh, input_wh)
    np.testing.assert_allclose(box.to_input(np.array(image_xy, float)), input_xy)
    np.testing.assert_allclose(box.to_image(np.array(input_xy, float)), image_xy)


def test_image_already_at_input_size_is_returned_untouched():
    image = np.arange(48 * 64 * 3, dtype=np.uint8).reshape(48, 64, 3)
    out, box = letterbox(image, (64, 48))
    assert out is image and box.offset_xy == (0, 0)


def test_non_positive_sizes_are_refused():
    with pytest.raises(ValueError, match="image size 0x10 and input size 192x128: expected positive sizes"):
        plan_letterbox((0, 10), (192, 128))
