"""Pictures of predictions: the rectified crop comes out upright in reading order; outlines land on the corners."""

import numpy as np
import pytest

from synthcert.training.drawing import draw_corners, prediction_grid, rectify
from synthcert.training.report import plot_learning_curves, read_log


def quadrant_card(size_wh=(80, 40)):
    """A card with a different colour in each quadrant, so that any rotation or mirror shows."""
    w, h = size_wh
    card = np.zeros((h, w, 3), np.uint8)
    card[: h // 2, : w // 2] = (255, 0, 0)
    card[: h // 2, w // 2:] = (0, 255, 0)
    card[h // 2:, w // 2:] = (0, 0, 255)
    card[h // 2:, : w // 2] = (255, 255, 0)
    return card


@pytest.mark.parametrize("turns", [0, 1, 2, 3], ids=["upright", "90", "180", "270"])
def test_rectified_crop_is_upright_whatever_the_rotation(turns):
    card = quadrant_card()
    photo = np.ascontiguousarray(np.rot90(card, k=-turns))  # clockwise turns on screen
    h, w = photo.shape[:2]
    # The card's TL, TR, BR, BL after `turns` clockwise quarter turns, in COCO coordinates of the photo.
    corners = np.roll(np.array([[0, 0], [w, 0], [w, h], [0, h]], float), -turns, axis=0)
    crop = rectify(photo, corners, height_px=40)
    assert crop.shape == (40, 80, 3)
    np.testing.assert_array_equal(crop[5:15, 5:35], card[5:15, 5:35])
    np.testing.assert_array_equal(crop[25:35, 45:75], card[25:35, 45:75])


def test_outline_is_drawn_on_the_corner_pixels():
    image = np.zeros((20, 30, 3), np.uint8)
    drawn = draw_corners(image, np.array([[5.5, 4.5], [25.5, 4.5], [25.5, 15.5], [5.5, 15.5]]))
    red = drawn[:, 15, 0]  # the column through the middle of the top and bottom edges
    assert np.argmax(red[:10]) == 4 and 10 + np.argmax(red[10:]) == 15  # pixels whose centres are y = 4.5, 15.5
    assert drawn[4, 15, 0] > drawn[4, 15, 1] and not drawn[10, 15].any() and not image.any()


def test_grid_tiles_every_image_enlarged_in_full_rows():
    images = [np.zeros((10, 20, 3), np.uint8)] * 5
    corners = np.tile(np.array([[2, 2], [18, 2], [18, 8], [2, 8]], float), (5, 1, 1))
    assert prediction_grid(images, corners, corners, columns=4, scale=2).shape == (40, 160, 3)


def test_learning_curves_are_drawn_from_the_csv_log(tmp_path):
    (tmp_path / "log.csv").write_text("epoch,loss,val_loss,corner_px,val_corner_px\n0,9,8,12,11\n1,5,6,7,8\n")
    plot_learning_curves(tmp_path / "log.csv", tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    np.testing.assert_array_equal(read_log(tmp_path / "log.csv")["val_loss"], [8, 6])
