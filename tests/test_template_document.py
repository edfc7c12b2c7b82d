"""Tests of synthcert.template.document: styles shared between fields, thickened strokes, and overlapping ink."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from synthcert import geometry
from synthcert.template.document import (
    DocumentPrint,
    PreparedTemplate,
    _any_overlap,
    render_flat_document,
    sample_field_prints,
)
from synthcert.template.ink import blend_ink
from synthcert.template.spec import load_template
from synthcert.text.typeset import face, typeset
from tests.conftest import write_template


def _spec(**owner):
    field = {"generator": "name", "fonts": ["dejavu-sans", "liberation-sans", "roboto-condensed"],
             "size_range": [14, 30], "color_jitter": 40}
    return {"name": "t", "background": "background.png", "fields": {
        "registration_number": {"box": [40, 60, 380, 110], **field, "generator": "plate", "style": "body"},
        "owner": {"box": [40, 150, 380, 200], **field, **owner}}}


def test_fields_of_one_style_share_font_size_and_colour_in_every_sample(tmp_path):
    styled = load_template(write_template(tmp_path / "a", _spec(style="body")))
    alone = load_template(write_template(tmp_path / "b", _spec()))
    for k in range(20):
        p = sample_field_prints(styled, np.random.default_rng([k, 1]))
        a, b = p["registration_number"], p["owner"]
        assert (a.font, a.size_px, a.color) == (b.font, b.size_px, b.color)
    unstyled = [sample_field_prints(alone, np.random.default_rng([k, 1])) for k in range(20)]
    assert any(p["registration_number"].size_px != p["owner"].size_px for p in unstyled)


def test_bold_px_thickens_the_strokes_by_about_that_much(tmp_path):
    ink = {}
    for bold in (0.0, 4.0):
        spec = load_template(write_template(tmp_path / str(bold), _spec(bold_px=bold, fonts=["dejavu-sans"])))
        prints = sample_field_prints(spec, np.random.default_rng(3))
        ink[bold] = render_flat_document(PreparedTemplate(spec), prints).ink["owner"]
    area = {b: (patch.mask > 127).sum() for b, patch in ink.items()}
    outline = 2 * (ink[0.0].mask.shape[1] + ink[0.0].mask.shape[0])  # a lower bound of the letters' outline
    assert area[4.0] > area[0.0] + 0.5 * 4.0 * outline
    assert ink[4.0].mask.shape[0] >= ink[0.0].mask.shape[0] + 3  # grown by about 2 px above and below


def test_a_portrait_document_renders_at_the_default_landscape_size_with_the_number_inside(tmp_path):
    from synthcert.pipeline import Renderer

    spec = {"name": "tall", "background": "background.png", "fields": {
        "registration_number": {"box": [40, 500, 300, 560], "generator": "plate", "fonts": ["ocrb"]}}}
    renderer = Renderer([write_template(tmp_path / "tall", spec, size_wh=(368, 664))])
    for k in range(12):
        sample = renderer.render(k, 0)
        assert sample.image.shape == (256, 384, 3) and sample.target.visible.all()
        sheet = geometry.transform_points(sample.image_from_doc, geometry.rect_corners_xy((0, 0, 368, 664)))
        assert np.ptp(sheet[:, 1]) < 1.6 * 256  # the sheet is framed by its height, not pushed out by it


def test_layout_variants_move_and_drop_other_fields_add_elements_and_leave_the_number_exact(tmp_path):
    spec = _spec()
    spec["fields"]["registration_number"].pop("style")
    plain = load_template(write_template(tmp_path / "plain", spec))
    spec["layout"] = {"shift_px": 10, "scale_range": [0.8, 1.2], "drop_p": 0.5, "elements_p": 1.0}
    varied = load_template(write_template(tmp_path / "varied", spec))
    docs = []
    for k in range(12):
        a = render_flat_document(PreparedTemplate(plain), sample_field_prints(plain, np.random.default_rng([k, 2])))
        b = render_flat_document(PreparedTemplate(varied), sample_field_prints(varied, np.random.default_rng([k, 2])))
        assert b.boxes["registration_number"] == a.boxes["registration_number"]  # the target's ink, exactly
        assert np.array_equal(b.ink["registration_number"].mask, a.ink["registration_number"].mask)
        docs.append((a, b))
    assert any("owner" not in b.boxes for _, b in docs) and any("owner" in b.boxes for _, b in docs)
    moved = [b.boxes["owner"][0] - a.boxes["owner"][0] for a, b in docs if "owner" in b.boxes]
    assert max(map(abs, moved)) > 1
    # The elements are printed where no field is: the art differs from the plain template's there.
    away = np.ones(docs[0][0].image.shape[:2], bool)
    for x0, y0, x1, y1 in ([40, 60, 380, 110], [40, 150, 380, 200]):  # the boxes, and how far values move
        away[max(y0 - 16, 0):y1 + 16, max(x0 - 16, 0):x1 + 16] = False
    changed = [(np.abs(b.image.astype(int) - a.image.astype(int)).max(axis=2)[away] > 20).any() for a, b in docs]
    assert sum(changed) >= len(docs) // 3


def test_a_bad_layout_block_names_the_key(tmp_path):
    from synthcert.errors import TemplateError

    spec = {**_spec(), "layout": {"drop_p": 2}}
    with pytest.raises(TemplateError, match=r"layout\.drop_p: = 2; expected a probability"):
        load_template(write_template(tmp_path / "t", spec))


def test_fields_print_in_order_where_their_ink_overlaps_as_if_blended_one_by_one(tmp_path):
    spec = _spec()
    spec["fields"]["stamp"] = {**spec["fields"]["owner"], "box": [60, 150, 400, 200]}  # over the owner's ink
    spec["fields"]["apart"] = {**spec["fields"]["owner"], "box": [40, 205, 380, 248]}
    spec = load_template(write_template(tmp_path, spec))
    template = PreparedTemplate(spec)
    for k in range(5):
        prints = sample_field_prints(spec, np.random.default_rng([k, 2]))
        doc = render_flat_document(template, prints)
        x0, _, x1, _ = doc.ink["stamp"].box
        assert x0 < doc.ink["owner"].box[2] and doc.ink["owner"].box[0] < x1  # the case under test
        one_by_one = template.levels[0].copy()
        for name, patch in doc.ink.items():
            x0, y0, x1, y1 = patch.box
            blend_ink(one_by_one[y0:y1, x0:x1], patch.mask, prints[name].color)
        np.testing.assert_array_equal(doc.image, one_by_one)


def test_each_fields_ink_is_its_coverage_times_its_strength_cropped_to_where_it_is_nonzero(tmp_path):
    spec = load_template(write_template(tmp_path, _spec()))
    template = PreparedTemplate(spec)
    # Faint prints too: at most half strength the faintest coverage prints nothing, at 0.001 none of it does.
    for k, strength in enumerate((0.001, 0.003, 0.02, 0.2, 0.5, 0.51, 0.8, 1.0)):
        prints = sample_field_prints(spec, np.random.default_rng([k, 4]))
        prints = DocumentPrint({"registration_number": prints["registration_number"],
                                "owner": dataclasses.replace(prints["owner"], strength=strength)})
        doc = render_flat_document(template, prints)
        for name, p in prints.items():  # the plain computation, one field at a time, at level 0 (1 px per px)
            alpha = cv2.multiply(typeset(p.text, face(p.font, round(p.size_px)), p.spacing_px), p.strength)
            x, y, w, h = cv2.boundingRect(alpha)
            if w == 0:
                assert name not in doc.ink and name not in doc.boxes
            else:
                np.testing.assert_array_equal(doc.ink[name].mask, alpha[y:y + h, x:x + w])
        assert ("owner" in doc.ink) == (strength > 0.001)


def test_any_overlap_agrees_with_comparing_every_pair():
    rng = np.random.default_rng(5)
    seen = set()
    for _ in range(500):
        x0, y0 = rng.integers(0, 60, (2, int(rng.integers(1, 12))))
        boxes = [(int(a), int(b), int(a + rng.integers(1, 25)), int(b + rng.integers(1, 12)))
                 for a, b in zip(x0, y0, strict=True)]
        pairs = any(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                    for k, a in enumerate(boxes) for b in boxes[k + 1:])
        assert _any_overlap(boxes) == pairs
        seen.add(pairs)
    assert seen == {True, False}


def test_doc_from_level_is_each_levels_scaling_made_once_and_read_only(tmp_path):
    spec = load_template(write_template(tmp_path, _spec(), size_wh=(400, 250)))
    template = PreparedTemplate(spec, min_width=40)
    assert len(template.levels) > 3
    for level, image in enumerate(template.levels):
        m = template.doc_from_level(level)
        np.testing.assert_array_equal(m, geometry.scaling(400 / image.shape[1], 250 / image.shape[0]))
        assert template.doc_from_level(level) is m
        with pytest.raises(ValueError):
            m[0, 0] = 1.0


def test_ink_that_falls_off_the_document_is_cut_off_and_the_rest_labelled_where_it_lands(tmp_path):
    spec = load_template(write_template(tmp_path, _spec()))
    template = PreparedTemplate(spec)
    for k, (dx, strength) in enumerate(((-60.0, 0.9), (-75.0, 0.3), (-50.0, 1.0))):
        p = sample_field_prints(spec, np.random.default_rng([k, 6]))["owner"]
        p = dataclasses.replace(p, offset_xy=(dx, 0.0), strength=strength)  # its box starts 40 px in
        doc = render_flat_document(template, DocumentPrint({"owner": p}))
        fc = face(p.font, round(p.size_px))
        alpha = cv2.multiply(typeset(p.text, fc, p.spacing_px), p.strength)
        ox, oy = round(40 + dx), round((150 + 200 - fc.ascent - fc.descent) / 2)
        assert ox < 0
        x, y, w, h = cv2.boundingRect(np.ascontiguousarray(alpha[:, -ox:]))  # what lands on the document
        np.testing.assert_array_equal(doc.ink["owner"].mask, alpha[y:y + h, -ox + x:-ox + x + w])
        assert doc.ink["owner"].box == (x, oy + y, x + w, oy + y + h)


def test_pyramid_levels_made_when_asked_for_are_the_art_resized_at_once(tmp_path):
    # Each level as the eager pyramid made it: the full-resolution art resized to the level's size, in any order.
    spec = load_template(write_template(tmp_path, _spec(), size_wh=(400, 250)))
    levels = PreparedTemplate(spec, min_width=40).levels
    art = levels[0]
    h, w = art.shape[:2]
    sizes = [(round(w * 0.5 ** (k / 2)), round(h * 0.5 ** (k / 2))) for k in range(len(levels))]
    assert len(levels) > 3 and sizes[-1][0] >= 40 > round(w * 0.5 ** (len(levels) / 2))
    for k in (3, 1, len(levels) - 1, 2, 3):
        expected = cv2.resize(art, sizes[k], interpolation=cv2.INTER_AREA)
        assert levels[k].tobytes() == expected.tobytes() and levels[k].shape == expected.shape
        assert levels[k] is levels[k]
    assert [image.shape[1] for image in levels] == [size[0] for size in sizes] == [lv.shape[1] for lv in levels[:]]
