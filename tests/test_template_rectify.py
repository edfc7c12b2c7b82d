"""Tests of synthcert.template.rectify and .edges: finding a document's corners in a photo, or refusing.

The photos are renders with known corners (the renderer's own image_from_doc), on each built-in kind of
table, and a light card warped onto a light table with a shadow and onto a printed page. Corners must land
within 1 % of the card's size, or the detector must refuse with the fix; never a wrong quadrilateral.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from synthcert import geometry
from synthcert.config import RenderConfig
from synthcert.errors import TemplateError
from synthcert.pipeline import Renderer
from synthcert.template.rectify import detect_document, settle_corners
from synthcert.template.spec import BUILTIN_DIR, load_template
from synthcert.text.fonts import resolve_font

CARD = BUILTIN_DIR / "eu-id1-card"


def _render(background: str, index: int):
    config = RenderConfig().replace(
        scene={"image_size_wh": (640, 480), "backgrounds": (background,), "bend_p": 0.0, "occluder_p": 0.0,
               "fill_range": (0.6, 0.85)}, photometric={"preset": "none"})
    sample = Renderer([CARD], config).render(index, 1)
    corners = geometry.transform_points(sample.image_from_doc,
                                        geometry.rect_corners_xy((0, 0, *load_template(CARD).size_wh)))
    return sample.image, corners


def _size(corners: np.ndarray) -> float:
    return float(np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1).max())


def _found_or_refused(image: np.ndarray, corners: np.ndarray) -> None:
    try:
        found = detect_document(image)
    except TemplateError as e:
        assert "--corners" in str(e) and "not guessing" in str(e)
        return
    assert np.abs(found - corners).max() < 0.01 * _size(corners), (found, corners)


@pytest.mark.parametrize("background", ["plain", "desk", "wood", "fabric", "noise"])
@pytest.mark.parametrize("index", [0, 1])
def test_corners_on_every_kind_of_table_are_within_one_percent_or_refused(background, index):
    _found_or_refused(*_render(background, index))


def _on_table(table: np.ndarray, shadow: bool) -> tuple[np.ndarray, np.ndarray]:
    art = cv2.cvtColor(cv2.imread(str(CARD / "background.png")), cv2.COLOR_BGR2RGB)
    h, w = table.shape[:2]
    corners = np.array([[130.0, 95.0], [540.0, 120.0], [525.0, 390.0], [110.0, 372.0]])
    photo_from_card = cv2.getPerspectiveTransform(
        geometry.rect_corners_xy((0, 0, art.shape[1], art.shape[0])).astype(np.float32), corners.astype(np.float32))
    m = geometry.opencv_from_coco(photo_from_card.astype(np.float64))
    card = cv2.warpPerspective(art, m, (w, h)).astype(np.float32)
    cover = cv2.warpPerspective(np.full(art.shape[:2], 1.0, np.float32), m, (w, h))[..., None]
    table = table.astype(np.float32)
    if shadow:  # the card's soft shadow, offset down and right
        drop = cv2.GaussianBlur(np.roll(cover[..., 0], (6, 8), axis=(0, 1)), (0, 0), 5)[..., None]
        table = table * (1 - 0.35 * drop)
    return (card * cover + table * (1 - cover) + 0.5).clip(0, 255).astype(np.uint8), corners


def test_a_light_card_on_a_light_table_with_a_shadow_is_found_or_refused():
    table = np.full((480, 640, 3), (228, 229, 226), np.uint8)
    _found_or_refused(*_on_table(table, shadow=True))


def test_a_card_on_a_printed_page_is_found_or_refused():
    page = Image.new("RGB", (640, 480), (244, 242, 236))
    draw, font = ImageDraw.Draw(page), ImageFont.truetype(str(resolve_font("dejavu-serif")), 13)
    for y in range(8, 480, 18):
        draw.text((10, y), "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod " * 2,
                  font=font, fill=(40, 40, 40))
    _found_or_refused(*_on_table(np.asarray(page), shadow=False))


def test_rough_corners_are_refined_to_the_edges():
    image, corners = _render("wood", 0)
    rough = corners + np.random.default_rng(5).uniform(-1, 1, (4, 2)) * 0.025 * _size(corners)
    refined = settle_corners(image, rough)
    assert np.abs(refined - corners).max() < 0.005 * _size(corners) < np.abs(rough - corners).max()


def test_an_outline_far_from_the_documents_aspect_is_refused():
    image, _ = _render("wood", 0)
    with pytest.raises(TemplateError, match=r"aspect .*size_mm.*not guessing.*--corners"):
        detect_document(image, aspect=1.0)
