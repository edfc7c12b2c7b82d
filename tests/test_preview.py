import numpy as np
import pytest
from PIL import Image

from synthcert.errors import ConfigError
from synthcert.preview import FIRST_CORNER_OUTLINE, TARGET_COLOUR, contact_sheet, draw_labels, write_preview
from synthcert.samples import FieldLabel, Sample

UPRIGHT = [[20, 20], [100, 20], [100, 60], [20, 60]]
UPSIDE_DOWN = [[100, 60], [20, 60], [20, 20], [100, 20]]


def plate_sample(corners, text="ÄB 123", size_wh=(120, 80)) -> Sample:
    w, h = size_wh
    label = FieldLabel(text, corners, [True] * 4)
    return Sample(np.zeros((h, w, 3), np.uint8), {"registration_number": label}, "t", index=0)


def marker_pixels_near(image, xy, radius=4):
    x, y = xy
    return int(np.all(image[y - radius:y + radius, x - radius:x + radius] == FIRST_CORNER_OUTLINE, axis=-1).sum())


@pytest.mark.parametrize("corners", [UPRIGHT, UPSIDE_DOWN], ids=["upright", "upside_down"])
def test_only_the_first_corner_of_the_text_as_read_is_marked(corners):
    drawn = draw_labels(plate_sample(corners, text=""))
    assert [marker_pixels_near(drawn, xy) > 0 for xy in corners] == [True, False, False, False]


def test_quadrilateral_edges_are_drawn_where_the_label_is():
    drawn = draw_labels(plate_sample(UPRIGHT, text=""), scale=2)
    assert drawn.shape == (160, 240, 3)
    # An edge at continuous y = 40 (scaled) lies on pixel row 39 or 40; the middle of the quad stays black.
    assert np.all(drawn[39:41, 100] == TARGET_COLOUR, axis=-1).any()
    assert np.all(drawn[60:100, 100:140] == 0)


def test_text_is_drawn_above_the_first_corner_even_with_non_ascii_letters():
    with_text = draw_labels(plate_sample(UPRIGHT, text="ŠKODA Ä 123"))
    without = draw_labels(plate_sample(UPRIGHT, text=""))
    changed = np.argwhere(np.any(with_text != without, axis=-1))
    assert changed[:, 0].max() < 20 and changed[:, 1].min() >= 15


def test_contact_sheet_lays_tiles_out_in_a_grid_of_the_tile_width():
    samples = [plate_sample(UPRIGHT)] * 5
    sheet = contact_sheet(samples, columns=2, tile_width=100)
    assert sheet.shape[1] == 2 * (100 + 6) + 6
    assert sheet.dtype == np.uint8 and sheet.shape[0] > 3 * 67


def test_write_preview_saves_a_readable_png_and_refuses_other_suffixes(tmp_path):
    path = write_preview([plate_sample(UPRIGHT)], tmp_path / "sub" / "p.png")
    assert Image.open(path).format == "PNG"
    with pytest.raises(ConfigError, match=r"p\.gif: has suffix '\.gif'; expected one of \.png, \.jpg"):
        write_preview([plate_sample(UPRIGHT)], tmp_path / "p.gif")
    with pytest.raises(ConfigError, match="no samples to preview"):
        contact_sheet([])
