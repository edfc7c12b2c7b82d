"""Tests of the document variations of `config.DocumentConfig`: redaction marks, hand-written notes, the
shipped-font mix and look-alikes of the target.

Marks and notes are found by comparing a render with its twin without them (the same seed: each variation's
draws come after everything else of the sample), never by asking the code where it drew.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthcert import Renderer
from synthcert.config import DocumentConfig, RenderConfig
from synthcert.samples import TARGET
from synthcert.template.document import DocumentPrint, PreparedTemplate, render_flat_document, sample_field_prints
from synthcert.template.notes import INKS, sample_notes
from synthcert.template.redaction import TARGET_MARGIN, sample_redactions
from synthcert.template.spec import load_template
from synthcert.text.fonts import font_charset
from tests.conftest import write_template

FIELDS = {
    "registration_number": {"box": [150, 40, 330, 75], "generator": "plate", "fonts": ["ocrb"],
                             "size_range": [26, 30], "color": "#101010", "strength_range": [1.0, 1.0]},
    # directly under the number, as on many certificates: marks there must thin out or stay away
    "owner": {"box": [150, 82, 390, 105], "generator": "name", "fonts": ["dejavu-sans"], "style": "body"},
    "address": {"box": [40, 140, 390, 165], "generator": "street", "fonts": ["dejavu-sans"], "style": "body"},
    "vin": {"box": [40, 200, 390, 225], "generator": "vin", "fonts": ["dejavu-sans-mono"]},
}


@pytest.fixture
def stacked_template(tmp_path):
    return write_template(tmp_path / "stacked", {"name": "stacked", "country": "DE", "background": "background.png",
                                                 "fields": FIELDS})


def twins(template, count: int, seed: int = 0, variation: str = "redaction_p"):
    """Flat renders without and with the variation (made certain), of the same samples."""
    configs = [RenderConfig().replace(document={variation: p}, scene={"image_size_wh": (320, 240)})
               for p in (0.0, 1.0)]
    plain, marked = (Renderer([template], c) for c in configs)
    for i in range(count):
        yield plain.trace(i, seed), marked.trace(i, seed)


@pytest.mark.parametrize("variation", ["redaction_p", "notes_p"])
def test_marks_and_notes_stay_a_quarter_of_the_text_height_clear_of_the_target(stacked_template, variation):
    marked_any = 0
    for plain, marked in twins(stacked_template, 24, variation=variation):
        a, b = plain.document, marked.document
        assert a.image.shape == b.image.shape
        changed = np.abs(a.image.astype(int) - b.image.astype(int)).max(axis=2) > 0
        marked_any += changed.any()
        patch = a.ink[TARGET]
        x0, y0 = patch.origin_xy
        h, w = patch.mask.shape
        # one pixel less than the margin: anti-aliased edges of a mark may reach into the last pixel
        m = int(TARGET_MARGIN * h) - 1
        keep_out = changed[max(y0 - m, 0):y0 + h + m, max(x0 - m, 0):x0 + w + m]
        assert not keep_out.any(), f"sample {plain.sample.index}: a mark within {m} px of the target's ink"
        np.testing.assert_allclose(marked.sample.fields[TARGET].corners, plain.sample.fields[TARGET].corners, atol=1e-9)
    assert marked_any >= 6  # the test saw marks (each sample redacts each field with probability 1/2)


def test_redacted_fields_are_covered_where_their_ink_was_and_lose_their_labels(stacked_template):
    redacted = 0
    for plain, marked in twins(stacked_template, 24, seed=1):
        for name, patch in plain.document.ink.items():
            x0, y0 = patch.origin_xy
            h, w = patch.mask.shape
            region = marked.document.image[y0:y0 + h, x0:x0 + w]
            if name in marked.document.ink:  # not redacted: same label as without marks
                np.testing.assert_allclose(marked.sample.fields[name].corners, plain.sample.fields[name].corners,
                                           atol=1e-9)
                continue
            redacted += 1
            assert name != TARGET and name not in marked.sample.fields
            # the text is gone: where its ink was, the region shows one flat tone (a black stroke or a white bar)
            tone = np.median(region.reshape(-1, 3), axis=0)
            inked = patch.mask > 128
            covered = (np.abs(region.astype(float) - tone).max(axis=2) < 40)[inked].mean()
            assert covered > 0.8, f"{name}: the mark covers only {covered:.0%} of the ink"
    assert redacted >= 6


def test_no_redaction_draws_nothing_from_the_generator():
    rng = np.random.default_rng(5)
    before = rng.bit_generator.state
    assert sample_redactions(["owner", "vin"], 0.0, rng) == ()
    assert rng.bit_generator.state == before  # so renders without marks keep their bytes


def test_font_mix_prints_shipped_fonts_beyond_the_templates_and_styles_stay_alike(stacked_template):
    spec = load_template(stacked_template)
    mix = DocumentConfig(font_mix_p=1.0)
    used = set()
    for seed in range(40):
        prints = sample_field_prints(spec, np.random.default_rng(seed), TARGET, mix)
        for p in prints.values():
            assert set(p.text) - {" "} <= font_charset(p.font), f"{p.font.name} lacks characters of {p.text!r}"
        owner, address = prints["owner"], prints["address"]
        if set(address.text) - {" "} <= font_charset(owner.font):
            assert owner.font == address.font  # one style, one font, where it has the characters
        used.add(prints[TARGET].font.name)
    assert len(used - {"OCRB.otf"}) >= 5
    without = {sample_field_prints(spec, np.random.default_rng(s), TARGET)[TARGET].font.name for s in range(10)}
    assert without == {"OCRB.otf"}


def test_notes_are_pen_ink_over_the_print_and_leave_every_label_as_it_was(stacked_template):
    fits = []
    for plain, marked in twins(stacked_template, 16, seed=2, variation="notes_p"):
        a, b = plain.document.image.astype(float), marked.document.image.astype(float)
        changed = np.abs(a - b).max(axis=2) > 24
        # a written pixel is the paper under it blended towards one pen colour: b = a + t (ink - a), 0 <= t <= 1
        before, after = a[changed], b[changed]
        residuals = []
        for ink in INKS:
            towards = np.asarray(ink, float) - before
            t = np.clip((after - before) * towards, 0, None).sum(axis=1) / np.maximum((towards ** 2).sum(axis=1), 1)
            residuals.append(np.abs(after - before - np.clip(t, 0, 1)[:, None] * towards).max(axis=1))
        fits.append(np.min(residuals, axis=0))
        assert marked.sample.fields.keys() == plain.sample.fields.keys()
        for name, label in plain.sample.fields.items():
            np.testing.assert_allclose(marked.sample.fields[name].corners, label.corners, atol=1e-9)
    fits = np.concatenate(fits)
    assert fits.size > 16 * 50  # notes were written, more than a few pixels per sample on average
    # within 8-bit rounding, but where two notes cross, a pixel holds two inks
    assert (fits <= 3).mean() > 0.97


def test_lookalikes_print_other_fields_like_the_target_and_change_nothing_else(stacked_template):
    spec = load_template(stacked_template)
    restyled = 0
    for seed in range(30):
        plain = sample_field_prints(spec, np.random.default_rng(seed), TARGET)
        alike = sample_field_prints(spec, np.random.default_rng(seed), TARGET, DocumentConfig(lookalike_p=1.0))
        t = plain[TARGET]
        assert alike[TARGET] == t
        changed = [n for n in plain if alike[n] != plain[n]]
        assert 1 <= len(changed) <= 2 and TARGET not in changed
        for n in changed:
            q, p = plain[n], alike[n]
            assert (p.text, p.offset_xy) == (q.text, q.offset_xy)  # its text and place stay the field's own
            assert (p.font, p.color, p.strength, p.spacing_px) == (t.font, t.color, t.strength, t.spacing_px)
            assert min(t.size_px, 1.3 * q.size_px) - 1e-9 <= p.size_px <= max(t.size_px, 1.3 * q.size_px) + 1e-9
        restyled += len(changed)
    assert restyled >= 30


def test_outlined_bars_are_light_inside_a_dark_border(stacked_template):
    spec = load_template(stacked_template)
    template = PreparedTemplate(spec)
    outlined = 0
    for seed in range(80):
        prints = sample_field_prints(spec, np.random.default_rng(seed), TARGET, DocumentConfig(redaction_p=1.0))
        white = [m for m in prints.redactions if m.kind == "bar" and m.outline > 0 and m.color[0] > 200]
        if not white:
            continue
        # the twin: the same marks without their outlines
        bare = DocumentPrint(dict(prints), prints.elements,
                             tuple(dataclasses.replace(m, outline=0.0) for m in prints.redactions), TARGET)
        with_border, without = (render_flat_document(template, p) for p in (prints, bare))
        border = (without.image.astype(int) - with_border.image.astype(int)).max(axis=2) > 60  # darkened
        ink = render_flat_document(template, DocumentPrint(dict(prints), prints.elements, (), TARGET)).ink
        for mark in white:
            if mark.field in with_border.ink:
                continue  # left readable: too close to the number however thin
            x0, y0, x1, y1 = ink[mark.field].box
            assert with_border.image[y0 + 2:y1 - 2, x0 + 2:x1 - 2].min() > 200, f"seed {seed}: {mark.field} not white"
            # scanning outwards from the ink's centre, each way, the darkened pixels are met: a closed border
            cy, cx = (y0 + y1) // 2, (x0 + x1) // 2
            for line in (border[cy, cx:], border[cy, cx::-1], border[cy:, cx], border[cy::-1, cx]):
                assert line.any(), f"seed {seed}: no dark border around {mark.field}'s bar"
            assert not border[y0:y1, x0:x1].any()  # and none over the ink it hides
            outlined += 1
    assert outlined >= 5


def test_notes_write_only_what_the_hershey_fonts_have():
    rngs = [np.random.default_rng(seed) for seed in range(40)]
    notes = [n for rng in rngs for n in sample_notes((400, 300), 20.0, "ЖК 123", 1.0, rng)]
    assert len(notes) >= 40 and all(n.text and n.text.isascii() for n in notes)  # a Cyrillic copy is never written
