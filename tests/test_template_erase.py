"""Tests of synthcert.template.erase through `init_template`: polarity, ink colour, erasure and measurements.

The "photo" is a render whose every value is known: the built-in ID-1 card with a dark panel painted under the
registration number (printed light on it) and one field in red ink, printed in one font at one size, then
photographed by the renderer at a slant. The checks use independent measurements: the spec's own colours,
the blank background art, and the font's outlines (fontTools) for cap height and stroke width.
"""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest
import yaml
from fontTools.pens.areaPen import AreaPen
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.perimeterPen import PerimeterPen
from fontTools.ttLib import TTFont

from synthcert import geometry
from synthcert.config import RenderConfig
from synthcert.pipeline import Renderer
from synthcert.template.erase import erase_field
from synthcert.template.fields_file import FieldBox
from synthcert.template.from_photo import init_template
from synthcert.template.spec import BUILTIN_DIR, load_template
from synthcert.template_show import flat_config
from synthcert.text.fonts import resolve_font

FONT = "dejavu-sans-bold"
PANEL_BGR = (64, 62, 60)
LIGHT_INK, RED_INK, DARK_INK = "#f2f2ee", "#b0202a", "#1c1c28"
SIZE = {"registration_number": 42.0}  # others 26 px


def _hex(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], np.float64)


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    """(template dir of the card, its spec dict, its flat render, the photo's path, the card's corners in it)."""
    tmp = tmp_path_factory.mktemp("card")
    directory = tmp / "card"
    shutil.copytree(BUILTIN_DIR / "eu-id1-card", directory)
    spec = yaml.safe_load((directory / "template.yaml").read_text())
    art = cv2.imread(str(directory / "background.png"))
    x0, y0, x1, y1 = spec["fields"]["registration_number"]["box"]
    cv2.rectangle(art, (x0 - 10, y0 - 8), (x1 + 10, y1 + 8), PANEL_BGR, -1)
    cv2.imwrite(str(directory / "background.png"), art)
    spec["defaults"].update(fonts=[FONT], color_jitter=0, strength_range=[1, 1], offset_px=0)
    for name, f in spec["fields"].items():
        f.pop("fonts", None)
        f["size_range"] = [SIZE.get(name, 26.0)] * 2
    spec["fields"]["registration_number"]["color"] = LIGHT_INK
    spec["fields"]["colour"]["color"] = RED_INK
    (directory / "template.yaml").write_text(yaml.safe_dump(spec))
    flat = Renderer([directory], flat_config(tuple(art.shape[1::-1]))).trace(0, 0).document
    # The photo: the same sample from a slanted camera, rendered at about the card's own resolution.
    config = RenderConfig().replace(
        scene={"image_size_wh": (1200, 900), "tilt_x_range_deg": (12.0, 12.0), "tilt_y_range_deg": (-9.0, -9.0),
               "roll_range_deg": (4.0, 4.0), "fill_range": (0.85, 0.85), "offset_range": (0.0, 0.0),
               "backgrounds": ("plain",), "bend_p": 0.0, "occluder_p": 0.0},
        photometric={"preset": "none"})
    sample = Renderer([directory], config).render(0, 0)
    assert sample.fields["registration_number"].text == flat.texts["registration_number"]
    photo = tmp / "photo.png"
    cv2.imwrite(str(photo), cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    corners = geometry.transform_points(sample.image_from_doc, geometry.rect_corners_xy((0, 0, *art.shape[1::-1])))
    return directory, spec, flat, photo, corners


@pytest.fixture(scope="module")
def made(card, tmp_path_factory):
    directory, spec, flat, photo, corners = card
    fields = [FieldBox(name, f["box"], f["generator"], {"text": flat.texts[name]})
              for name, f in spec["fields"].items()]
    width = cv2.imread(str(directory / "background.png")).shape[1]
    out = init_template(photo, tmp_path_factory.mktemp("made") / "tpl", corners, fields, width_px=width,
                        country="CZ", size_mm=tuple(spec["size_mm"]))
    return out, yaml.safe_load((out / "template.yaml").read_text())


def _outline(text: str, size_px: float) -> tuple[float, float]:
    """(cap height, stroke width = 2 area / outline length) of `text` in the test font, from its outlines."""
    font = TTFont(str(resolve_font(FONT)))
    glyphs, cmap, em = font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm
    bounds = BoundsPen(glyphs)
    glyphs[cmap[ord("H")]].draw(bounds)
    area = length = 0.0
    for ch in text.replace(" ", ""):
        a, p = AreaPen(glyphs), PerimeterPen(glyphs)
        glyphs[cmap[ord(ch)]].draw(a)
        glyphs[cmap[ord(ch)]].draw(p)
        area, length = area + abs(a.value), length + p.value
    return (bounds.bounds[3] - bounds.bounds[1]) / em * size_px, 2 * area / length / em * size_px


def test_every_field_gets_the_polarity_and_colour_of_its_ink(card, made):
    _, spec, _, _, _ = card
    _, written = made
    for name, f in spec["fields"].items():
        expected = _hex(f.get("color", spec["defaults"]["color"]))
        got = _hex(written["fields"][name]["color"])
        assert np.abs(got - expected).max() <= 24, (name, written["fields"][name]["color"], expected)
        # Light ink is lighter than the ground it was printed on, dark ink darker, in the made template too.
        ground = cv2.imread(str(made[0] / "background.png"))[..., ::-1]
        x0, y0, x1, y1 = (int(v) for v in f["box"])
        lighter = got.mean() > np.median(ground[y0:y1, x0:x1].reshape(-1, 3), axis=0).mean()
        assert lighter == (name == "registration_number"), name


def test_erased_boxes_show_the_ground_they_were_printed_on(card, made):
    directory, spec, _, _, _ = card
    blank = cv2.imread(str(directory / "background.png")).astype(np.float32)
    erased = cv2.imread(str(made[0] / "background.png")).astype(np.float32)
    for name, f in spec["fields"].items():
        x0, y0, x1, y1 = (int(v) for v in f["box"])
        a, b = erased[y0:y1, x0:x1], blank[y0:y1, x0:x1]
        assert np.abs(a.mean(axis=(0, 1)) - b.mean(axis=(0, 1))).max() < 6, name  # no colour shift
        assert np.abs(a - b).max(axis=2).mean() < 10, name  # no ghost of the text
        assert np.percentile(np.abs(a - b).max(axis=2), 99) < 60, name


def test_cap_height_and_stroke_width_are_measured_within_ten_percent(card):
    _, spec, flat, _, _ = card
    for name, f in spec["fields"].items():
        _, ink = erase_field(flat.image, f["box"])
        cap, stroke = _outline(flat.texts[name], f["size_range"][0])
        # Digits and round letters overshoot the capitals' height a little; the line is at least as high as H.
        assert 0.97 <= ink.text_height_px / cap <= 1.1, (name, ink.text_height_px, cap)
        assert abs(ink.stroke_px / stroke - 1) < 0.1, (name, ink.stroke_px, stroke)


def test_text_size_from_the_photo_prints_capitals_as_high_as_printed(card, made):
    _, spec, _, _, _ = card
    for name, f in spec["fields"].items():
        lo, hi = made[1]["fields"][name]["size_range"]
        assert abs((lo + hi) / 2 / f["size_range"][0] - 1) < 0.1, (name, lo, hi)


def test_the_font_that_printed_the_card_is_chosen_and_fields_printed_alike_share_a_style(card, made):
    _, spec, _, _, _ = card
    written = made[1]["fields"]
    assert all(f["fonts"][0] == FONT for f in written.values()), {n: f["fonts"] for n, f in written.items()}
    body = [n for n in spec["fields"] if n not in ("registration_number", "colour")]
    assert len({written[n]["style"] for n in body}) == 1 and len({tuple(written[n]["size_range"]) for n in body}) == 1
    assert "style" not in written["registration_number"] and "style" not in written["colour"]
    assert load_template(made[0]).fields["owner"].text == card[2].texts["owner"]


def test_replaying_the_photo_values_matches_the_photo_and_a_wrong_font_matches_less(made):
    import dataclasses

    from synthcert.template.replay import REFERENCE, replay, replay_template

    _, rows = replay_template(made[0])
    assert len(rows) == 11 and not any(r.flagged for r in rows), format_rows(rows)
    for r in rows:
        assert r.polarity[0] == r.polarity[1] and r.color_delta <= 30, r
        assert abs(r.size_ratio - 1) < 0.1 and abs(r.stroke_ratio - 1) < 0.15 and r.similarity > 0.6, r
    spec = load_template(made[0])
    wrong = dataclasses.replace(spec, fields={n: dataclasses.replace(f, fonts=(resolve_font("liberation-mono"),))
                                              for n, f in spec.fields.items()})
    reference = cv2.imread(str(made[0] / REFERENCE))[..., ::-1].copy()
    worse = {r.name: r.similarity for r in replay(wrong, reference)[1]}
    assert all(worse[r.name] < r.similarity - 0.1 for r in rows), [(r.name, worse[r.name], r.similarity) for r in rows]


def format_rows(rows) -> str:
    from synthcert.template.replay import format_report

    return format_report(rows)


def test_the_skeleton_has_a_box_covering_every_printed_value_and_reads_back_as_a_fields_file(card, tmp_path):
    from synthcert.template.fields_file import load_layout
    from synthcert.template.lines import find_text_lines, skeleton_yaml

    _, spec, flat, _, _ = card
    lines = find_text_lines(flat.image)
    for name, (x0, y0, x1, y1) in flat.boxes.items():
        assert any(b[0] <= x0 + 1 and b[1] <= y0 + 1 and x1 - 1 <= b[2] and y1 - 1 <= b[3] for b in
                   (line.box for line in lines)), (name, flat.texts[name])
    assert len(lines) < 8 * len(flat.boxes)  # lines, not letters or guilloche
    path = tmp_path / "fields.yaml"
    path.write_text(skeleton_yaml(lines, "card.png"))
    assert len(load_layout(path).fields) == len(lines)


def test_erased_boxes_keep_the_fine_texture_of_their_ground(card, made):
    directory, _, flat, _, _ = card
    blank = cv2.imread(str(directory / "background.png")).astype(np.float32)
    erased = cv2.imread(str(made[0] / "background.png")).astype(np.float32)

    def grain(image):  # the high-pass: guilloche lines and paper grain, not the tint
        return image - cv2.GaussianBlur(image, (5, 5), 0)

    ratios = []
    for patch in flat.ink.values():
        where = np.zeros(blank.shape[:2], np.uint8)
        (x, y), (h, w) = patch.origin_xy, patch.mask.shape
        where[y:y + h, x:x + w] = patch.mask > 0
        where = cv2.dilate(where, np.ones((5, 5), np.uint8)) > 0  # where the value's ink and halo were
        texture = grain(blank)[where].std()
        if texture > 2:  # a flat panel has no texture to keep
            ratios.append(grain(erased)[where].std() / texture)
    assert len(ratios) >= 8 and np.median(ratios) > 0.5, ratios  # a smooth inpainted fill would be far below
