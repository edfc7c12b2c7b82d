"""Tests of synthcert.template.document: styles shared between fields, and thickened strokes."""

from __future__ import annotations

import numpy as np

from synthcert import geometry
from synthcert.template.document import PreparedTemplate, render_flat_document, sample_field_prints
from synthcert.template.spec import load_template
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
