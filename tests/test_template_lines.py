"""Tests of synthcert.template.lines: the printed lines of a document, and the generators their shape tells."""

from __future__ import annotations

import numpy as np
import pytest

from synthcert.template.font_match import text_mask
from synthcert.template.lines import find_text_lines
from synthcert.text.fonts import resolve_font


def _document(*texts: str, font: str = "dejavu-sans-mono-bold") -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A light page with each text on its own line (ink boxes returned), in dark ink."""
    page = np.full((400, 640, 3), (236, 232, 222), np.uint8)
    boxes = []
    for k, text in enumerate(texts):
        mask = text_mask(text, resolve_font(font), 30)
        y, x = 40 + 60 * k, 30
        page[y:y + mask.shape[0], x:x + mask.shape[1]][mask] = (25, 25, 35)
        boxes.append((x, y, x + mask.shape[1], y + mask.shape[0]))
    return page, boxes


@pytest.mark.parametrize(("text", "generator"), [("WVGZZZ7PZCD050042", "vin"), ("14.06.2012", "date:%d.%m.%Y"),
                                                 ("JAN NOVAK", None), ("KENDERAAN BARU", None)],
                         ids=["vin", "date", "name", "words"])
def test_each_line_gets_one_box_round_its_ink_and_a_generator_only_where_its_shape_tells(text, generator):
    page, (ink,) = _document(text)
    (line,) = find_text_lines(page)
    assert line.box[0] <= ink[0] and line.box[1] <= ink[1] and line.box[2] >= ink[2] and line.box[3] >= ink[3]
    assert max(abs(a - b) for a, b in zip(line.box, ink, strict=True)) <= 3
    assert line.generator == generator


def test_light_values_on_a_dark_panel_are_lines_too_and_a_blank_page_has_none():
    page, boxes = _document("AB 1234", "CD 5678")
    page[boxes[1][1] - 10:boxes[1][3] + 10, 10:400] = 255 - page[boxes[1][1] - 10:boxes[1][3] + 10, 10:400]
    assert len(find_text_lines(page)) == 2
    assert find_text_lines(np.full((200, 300, 3), 240, np.uint8)) == []
