"""Tests of synthcert.template_show: the contact sheet that shows a template's boxes and a few fillings."""

from __future__ import annotations

import cv2
import numpy as np

from synthcert.template_show import BOX_COLOR, TARGET_COLOR, _put, flat_config, show_template, template_sheet

GAP = 6


def _panels(sheet: np.ndarray, size_wh: tuple[int, int]) -> list[np.ndarray]:
    w, h = size_wh
    rows, cols = (sheet.shape[0] - GAP) // (h + GAP), (sheet.shape[1] - GAP) // (w + GAP)
    return [sheet[GAP + r * (h + GAP):GAP + r * (h + GAP) + h, GAP + c * (w + GAP):GAP + c * (w + GAP) + w]
            for r in range(rows) for c in range(cols)]


def test_sheet_shows_the_boxes_then_one_panel_per_filling(plain_template):
    sheet = template_sheet(plain_template, count=3, seed=0, panel_width=200)  # 400 x 250 art -> 200 x 125 panels
    assert sheet.dtype == np.uint8 and sheet.shape == (2 * 125 + 3 * GAP, 2 * 200 + 3 * GAP, 3)
    boxes, *fillings = _panels(sheet, (200, 125))
    # The target's box [40, 60, 300, 110] at half size covers pixels 20..149 x 30..54: its left and bottom edges.
    assert (boxes[31:55, 20] == TARGET_COLOR).all() and (boxes[54, 20:150] == TARGET_COLOR).all()
    assert (boxes[75:95, 20] == BOX_COLOR).all()  # the owner's box [40, 150, 380, 190] -> rows 75..94
    assert all(np.any(f != fillings[0]) for f in fillings[1:])  # each filling is a different sample


def test_sheet_is_the_same_for_the_same_seed_and_differs_for_another(plain_template):
    a = template_sheet(plain_template, count=1, seed=3, panel_width=120)
    assert np.array_equal(a, template_sheet(plain_template, count=1, seed=3, panel_width=120))
    assert not np.array_equal(a, template_sheet(plain_template, count=1, seed=4, panel_width=120))


def test_flat_config_puts_the_document_square_on_over_the_whole_image(plain_template):
    from synthcert.pipeline import Renderer

    sample = Renderer([plain_template], flat_config((200, 125))).render(0, 0)
    # The 400 x 250 document is scaled by exactly one half, with no rotation and no perspective.
    assert np.allclose(sample.image_from_doc / sample.image_from_doc[2, 2], np.diag([0.5, 0.5, 1.0]), atol=1e-9)


def test_show_template_writes_a_png(plain_template, tmp_path):
    path = show_template(plain_template, tmp_path / "sheet" / "show.png", count=1, panel_width=100)
    image = cv2.imread(str(path))
    assert image is not None and image.shape[1] == 2 * 100 + 3 * GAP


def test_a_caption_halo_hugs_its_text_to_the_last_letter():
    # OpenCV spaces a thick line's letters wider than a thin one's: a halo drawn as thicker text runs past the end.
    image = np.full((40, 400, 3), 128, np.uint8)
    _put(image, "voc-2-template (MY) 1000x703 px", (4, 30), 0.55, (0, 0, 0))
    grey = image[..., 0].astype(int)
    halo_columns = np.flatnonzero((grey > 200).any(axis=0))
    ink_columns = np.flatnonzero((grey < 60).any(axis=0))
    assert ink_columns.size and halo_columns.size
    assert halo_columns.min() >= ink_columns.min() - 2 and halo_columns.max() <= ink_columns.max() + 2
