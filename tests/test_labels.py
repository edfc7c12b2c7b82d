"""Labels checked against pixels: ink found by image differences, warped ink layers and warped markers."""

import numpy as np
import pytest
from conftest import write_template

from synthcert import RenderConfig, Renderer, geometry
from synthcert.labels import project_fields
from synthcert.samples import TARGET, FieldLabel
from synthcert.scene.backgrounds import render_background
from synthcert.scene.photograph import photograph
from synthcert.template.document import PreparedTemplate, render_flat_document, sample_field_prints
from synthcert.template.spec import load_template
from tests.oracles import blob_centroids, changed_pixels_box, distances_outside, edge_gaps

# Flat paper: the pixel oracles below warp ink with the camera matrix alone; bent paper has its own tests.
FLAT_PAPER = {"bend_p": 0.0}
FLAT = {**FLAT_PAPER, "tilt_x_range_deg": (0.0, 0.0), "tilt_y_range_deg": (0.0, 0.0), "roll_range_deg": (0.0, 0.0)}


def flat_renderer(template_dir, size_wh):
    """A camera that sees the document 1:1: fill 1, no tilt or roll, no fingers, output as large as the art."""
    config = RenderConfig().replace(
        scene={**FLAT, "image_size_wh": size_wh, "fill_range": (1.0, 1.0), "offset_range": (0.0, 0.0),
               "occluder_p": 0.0},
        photometric={"preset": "none"},
    )
    return Renderer([template_dir], config)


@pytest.fixture
def number_only_template(tmp_path):
    """The plain template with the registration number as its only field: all ink in the photo is the number's."""
    spec = {"name": "number-only", "country": "CZ", "background": "background.png", "fields": {TARGET: {
        "box": [40, 60, 300, 110], "generator": "plate", "fonts": ["ocrb"], "size_range": [34, 40],
        "color": "#101010", "color_jitter": 0, "strength_range": [1.0, 1.0], "offset_px": 3}}}
    return write_template(tmp_path / "number-only", spec)


@pytest.mark.parametrize("index", range(6))
def test_flat_render_label_is_the_exact_box_of_the_photos_inked_pixels(number_only_template, index):
    renderer = flat_renderer(number_only_template, (400, 250))
    trace = renderer.trace(index, seed=3)
    # The same photo of the unprinted art: same camera and background, so only the number's ink differs.
    art = next(a for a in PreparedTemplate(renderer.specs[0]).levels if a.shape == trace.document.image.shape)
    unprinted = photograph(art, trace.image_from_pixels, render_background(trace.background, (400, 250)))
    x0, y0, x1, y1 = changed_pixels_box(unprinted, trace.sample.image)
    corners = trace.sample.target.corners
    np.testing.assert_allclose(corners, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]], atol=1e-6)


def _ink_points(trace, name=TARGET):
    """Output pixel centres that any of the field's printed ink reaches, warped by the pixel path alone."""
    doc = trace.document
    patch = doc.ink[name]
    layer = np.zeros_like(doc.image)
    x, y = patch.origin_xy
    h, w = patch.mask.shape
    layer[y:y + h, x:x + w] = patch.mask[..., None]
    out = photograph(layer, trace.image_from_pixels, np.zeros_like(trace.sample.image))
    ys, xs = np.nonzero(out[..., 0])
    return np.column_stack([xs + 0.5, ys + 0.5])


@pytest.mark.parametrize("index", range(12))
def test_label_contains_warped_ink_and_is_tight_to_it(index):
    config = RenderConfig().replace(photometric={"preset": "none"}, scene=FLAT_PAPER)
    trace = Renderer(config=config).trace(index, seed=11)
    points = _ink_points(trace)
    quad = trace.sample.target.corners
    # Pixel centres touched by ink lie at most half an output pixel (plus the diagonal) beyond the ink.
    assert distances_outside(quad, points).max() <= 1.0
    assert edge_gaps(quad, points).max() <= 1.0


def _marker_layer(trace, corners_doc, k, sigma=1.5):
    doc = trace.document
    px, py = geometry.transform_points(np.linalg.inv(doc.doc_from_pixels), corners_doc)[k]
    ys, xs = np.mgrid[0:doc.image.shape[0], 0:doc.image.shape[1]]
    blob = np.exp(-((xs + 0.5 - px) ** 2 + (ys + 0.5 - py) ** 2) / (2 * sigma**2))
    return np.repeat((blob * 255 + 0.5).astype(np.uint8)[..., None], 3, axis=2)


def _assert_markers_land_on_corners(trace):
    corners_doc = geometry.rect_corners_xy(trace.document.boxes[TARGET])
    black = np.zeros_like(trace.sample.image)
    for k, corner in enumerate(trace.sample.target.corners):
        # The pixels' own path: the warp, and the bend of the warped sheet when there is one.
        seen = photograph(_marker_layer(trace, corners_doc, k), trace.image_from_pixels, black, trace.bend)
        (centre,) = blob_centroids(seen, [(255, 255, 255)], tolerance=255)
        assert np.linalg.norm(centre - corner) <= 0.5, (k, centre, corner)


@pytest.mark.parametrize("index", range(8))
def test_markers_painted_at_document_corners_land_on_the_labels(index):
    config = RenderConfig().replace(photometric={"preset": "none"}, scene={**FLAT_PAPER, "fill_range": (0.6, 0.8)})
    _assert_markers_land_on_corners(Renderer(config=config).trace(index, seed=5))


def test_markers_on_bent_paper_land_on_the_labels_which_the_bend_moved():
    config = RenderConfig().replace(photometric={"preset": "none"}, scene={"bend_p": 1.0, "fill_range": (0.6, 0.8)})
    bent, flat = Renderer(config=config), Renderer(config=config.replace(scene={"bend_p": 0.0}))
    # A bend that would push the number out of the image is dropped: most are kept, and each kept one is tested.
    traces = [t for t in (bent.trace(i, seed=5) for i in range(8)) if t.bend is not None]
    assert len(traces) >= 4
    for trace in traces:
        straight = flat.trace(trace.sample.index, seed=5)
        assert np.abs(trace.sample.target.corners - straight.sample.target.corners).max() > 0.01
        _assert_markers_land_on_corners(trace)


@pytest.mark.parametrize("target", [TARGET, "vin"])
def test_fingers_never_cover_the_configured_target(target):
    config = RenderConfig().replace(photometric={"preset": "none"}, scene={"occluder_p": 1.0},
                                    labels={"target": target})
    holding, free = Renderer(config=config), Renderer(config=config.replace(scene={"occluder_p": 0.0}))
    held = [t for t in (holding.trace(i, seed=8) for i in range(6)) if t.occluders is not None and t.occluders.fingers]
    assert len(held) >= 4  # fingers that would reach the target are dropped; most hands keep some
    for trace in held:
        changed = np.any(trace.sample.image != free.trace(trace.sample.index, seed=8).sample.image, axis=2)
        ys, xs = np.nonzero(changed)
        assert len(xs), "fingers were sampled but no pixel changed"
        points = np.column_stack([xs + 0.5, ys + 0.5])
        assert distances_outside(trace.sample.fields[target].corners, points).min() > 1.0


# Where the text's first corner (its top-left as read) must be in the image for each roll.
ORIENTATIONS = {0: ("min", "min"), 90: ("max", "min"), 180: ("max", "max"), 270: ("min", "max")}


@pytest.mark.parametrize("roll", ORIENTATIONS, ids=[f"roll_{r}" for r in ORIENTATIONS])
def test_first_corner_follows_the_text_in_every_orientation(roll):
    config = RenderConfig().replace(
        scene={**FLAT, "roll_range_deg": (roll, roll), "fill_range": (0.6, 0.6), "image_size_wh": (300, 300)},
        photometric={"preset": "none"},
    )
    trace = Renderer(config=config).trace(2, seed=1)
    _assert_markers_land_on_corners(trace)
    corners = trace.sample.target.corners
    order = {"min": np.argmin, "max": np.argmax}
    x_rule, y_rule = ORIENTATIONS[roll]
    # the first corner is extreme in both axes (ties broken within a pixel for the axis-aligned cases)
    assert abs(corners[0, 0] - corners[order[x_rule](corners[:, 0]), 0]) < 1e-6
    assert abs(corners[0, 1] - corners[order[y_rule](corners[:, 1]), 1]) < 1e-6


def test_corners_exactly_on_the_image_edges_are_kept_and_visible(plain_template):
    spec = load_template(plain_template)
    template = PreparedTemplate(spec)
    doc = render_flat_document(template, sample_field_prints(spec, np.random.default_rng([0, 1])), 0)
    x0, y0, x1, y1 = doc.boxes[TARGET]
    size_wh = (200, 40)
    # A forced camera that maps the ink box onto the whole image: corners at exactly 0, W and H.
    image_from_doc = geometry.scaling(200 / (x1 - x0), 40 / (y1 - y0)) @ geometry.translation(-x0, -y0)
    label = project_fields({TARGET: "x"}, {TARGET: doc.boxes[TARGET]}, image_from_doc, size_wh)[TARGET]
    np.testing.assert_allclose(label.corners, [[0, 0], [200, 0], [200, 40], [0, 40]], atol=1e-9)
    assert label.corners[0].tolist() == [0.0, 0.0]
    assert label.visible.all()
    image = photograph(doc.image, image_from_doc @ doc.doc_from_pixels, np.full((40, 200, 3), 255, np.uint8))
    dark = image.min(axis=2) < 200
    assert dark[:, 0].any() and dark[:, -1].any() and dark[0].any() and dark[-1].any()


def test_photometric_effects_leave_labels_unchanged():
    plain = Renderer(config=RenderConfig().replace(photometric={"preset": "none"})).render(4, seed=2)
    heavy = Renderer(config=RenderConfig().replace(photometric={"preset": "heavy"})).render(4, seed=2)
    assert not np.array_equal(plain.image, heavy.image)
    for name, field in plain.fields.items():
        np.testing.assert_array_equal(field.corners, heavy.fields[name].corners)


def test_target_lies_wholly_inside_the_image_by_default():
    renderer = Renderer()
    for index in range(40):  # bent paper, fingers and all
        sample = renderer.render(index, seed=9)
        w, h = sample.size_wh
        corners = sample.target.corners
        assert sample.target.visible.all()
        assert (corners >= 0).all() and (corners[:, 0] <= w).all() and (corners[:, 1] <= h).all()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "minus_inf"])
def test_a_label_with_a_corner_that_is_not_a_finite_number_is_refused(bad):
    corners = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
    FieldLabel("AB 1", corners, [True] * 4)  # zero is a coordinate: accepted
    corners[2] = [10.0, bad]
    with pytest.raises(ValueError, match="expected \\(4, 2\\) finite floats"):
        FieldLabel("AB 1", corners, [True] * 4)
