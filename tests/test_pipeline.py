"""The Renderer as users call it: determinism, defaults, template choice, and staying free of TensorFlow."""

import hashlib
import subprocess
import sys

import numpy as np

from synthcert import RenderConfig, Renderer
from synthcert.samples import TARGET
from tests.fresh_imports import heavy_imports


def _digest(sample) -> str:
    h = hashlib.sha256(sample.image.tobytes())
    for name in sorted(sample.fields):
        h.update(name.encode() + sample.fields[name].text.encode() + sample.fields[name].corners.tobytes())
    return h.hexdigest()


def test_same_seed_and_index_give_identical_bytes():
    a, b = Renderer(), Renderer()
    assert _digest(a.render(7, seed=1)) == _digest(b.render(7, seed=1))


def test_index_rendered_alone_equals_index_rendered_after_others():
    r = Renderer()
    for i in range(5):
        r.render(i, seed=4)
    assert _digest(r.render(5, seed=4)) == _digest(Renderer().render(5, seed=4))


def test_same_bytes_in_another_process():
    code = (
        "import hashlib; from synthcert import Renderer; from tests.test_pipeline import _digest; "
        "print(_digest(Renderer().render(7, seed=1)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=".")
    assert out.stdout.strip() == _digest(Renderer().render(7, seed=1))


def test_different_seeds_or_indices_give_different_samples():
    r = Renderer()
    digests = {_digest(r.render(i, seed=s)) for i in range(3) for s in range(3)}
    assert len(digests) == 9


def test_default_sample_has_the_documented_shape_and_target():
    s = Renderer().render(index=17, seed=0)
    assert s.image.shape == (256, 384, 3) and s.image.dtype == np.uint8
    assert s.fields[TARGET].corners.shape == (4, 2)
    assert s.fields[TARGET].text.strip()
    assert s.seed == 0 and s.index == 17


def test_every_builtin_template_is_used():
    r = Renderer()
    assert len({r.render(i, seed=0).template for i in range(30)}) == len(r.specs) >= 3


def test_image_size_follows_the_configuration():
    s = Renderer(config=RenderConfig().replace(scene={"image_size_wh": (200, 120)})).render(0)
    assert s.image.shape == (120, 200, 3)


def test_own_template_directory_is_rendered(plain_template):
    s = Renderer(templates=[plain_template]).render(0)
    assert s.template == "plain-test" and set(s.fields) == {TARGET, "owner"}


def test_rendering_imports_no_heavy_library():
    # Every render process pays its imports at start: albumentations (with SciPy) is a second of it, TensorFlow more.
    assert heavy_imports("import synthcert.datasets.render\nfrom synthcert import Renderer\n"
                         "for i in range(40): Renderer().render(i)") == []


def test_threads_rendering_at_once_give_the_bytes_of_one_thread():
    from concurrent.futures import ThreadPoolExecutor

    renderer = Renderer()
    with ThreadPoolExecutor(3) as pool:
        digests = list(pool.map(lambda i: _digest(renderer.render(i, seed=2)), range(12)))
    assert digests == [_digest(Renderer().render(i, seed=2)) for i in range(12)]


def test_trace_times_every_stage():
    stages = Renderer().trace(3).stage_s
    assert set(stages) == {"template", "scene", "photometric"} and all(s > 0 for s in stages.values())


# The target field is configured (labels.target): the render keeps *it* in view, whatever the number does.
def _vin_template(directory, elements_p: float = 0.0):
    from conftest import write_template

    ocrb = {"fonts": ["ocrb"], "color": "#101010", "color_jitter": 0, "strength_range": [1.0, 1.0]}
    spec = {"name": "vin-test", "country": "CZ", "background": "background.png",
            "layout": {"shift_px": 10, "scale_range": [0.8, 1.2], "drop_p": 1.0, "elements_p": elements_p},
            "fields": {TARGET: {"box": [40, 20, 300, 60], "generator": "plate", **ocrb},
                       "vin": {"box": [40, 100, 380, 140], "generator": "vin", "size_range": [26, 30], **ocrb},
                       "owner": {"box": [40, 180, 380, 220], "generator": "name"}}}
    return write_template(directory, spec)


def _flat_vin_renderer(template_dir):
    from synthcert.template_show import flat_config

    return Renderer([template_dir], flat_config((400, 250)).replace(labels={"target": "vin"}))


def test_layout_that_drops_every_field_still_prints_and_labels_the_configured_target(tmp_path):
    from synthcert.scene.backgrounds import render_background
    from synthcert.scene.photograph import photograph
    from synthcert.template.document import PreparedTemplate
    from tests.oracles import changed_pixels_box

    renderer = _flat_vin_renderer(_vin_template(tmp_path / "t"))
    art = PreparedTemplate(renderer.specs[0]).levels
    for index in range(8):
        trace = renderer.trace(index, seed=4)
        assert set(trace.sample.fields) == {"vin"}  # drop_p = 1 left out the number and the owner, never the VIN
        # The photo of the unprinted art differs from the render exactly in the VIN's ink: the label's box.
        level = next(a for a in art if a.shape == trace.document.image.shape)
        unprinted = photograph(level, trace.image_from_pixels, render_background(trace.background, (400, 250)))
        x0, y0, x1, y1 = changed_pixels_box(unprinted, trace.sample.image)
        np.testing.assert_allclose(trace.sample.fields["vin"].corners, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
                                   atol=1e-6)


def test_printed_elements_never_touch_the_configured_targets_ink(tmp_path):
    from tests.oracles import distances_outside

    # Elements draw their random numbers whether they are printed or not: with and without, the same sample.
    bare = _flat_vin_renderer(_vin_template(tmp_path / "bare"))
    dressed = _flat_vin_renderer(_vin_template(tmp_path / "dressed", elements_p=1.0))
    drawn = 0
    for index in range(10):
        with_elements, without = dressed.render(index, seed=2), bare.render(index, seed=2)
        vin = without.fields["vin"].corners
        np.testing.assert_array_equal(with_elements.fields["vin"].corners, vin)
        ys, xs = np.nonzero(np.any(with_elements.image != without.image, axis=2))
        drawn += len(xs) > 0
        if len(xs):
            assert distances_outside(vin, np.column_stack([xs + 0.5, ys + 0.5])).min() > 1.0
    assert drawn >= 4, "elements were asked for in every sample but hardly any was drawn"


def test_wide_train_scene_keeps_the_configured_targets_corners_inside_the_image():
    from synthcert.training.options import TRAIN_SCENE

    size_wh = (96, 64)
    config = RenderConfig().replace(scene={**TRAIN_SCENE, "image_size_wh": size_wh, "bend_p": 0.5},
                                    labels={"target": "vin"}, photometric={"preset": "none"})
    renderer = Renderer(config=config)
    number_cut = 0
    for index in range(30):
        sample = renderer.render(index, seed=6)
        corners = sample.fields["vin"].corners
        assert sample.fields["vin"].visible.all()
        assert (corners >= 0).all() and (corners <= size_wh).all()
        number_cut += not sample.fields[TARGET].visible.all() if TARGET in sample.fields else 0
    assert number_cut > 0  # the number is no longer what the scene keeps in view


def test_a_trace_keeps_a_photo_that_ended_as_a_jpeg_as_its_file_until_its_pixels_are_read():
    import io

    from PIL import Image

    trace = Renderer(config=RenderConfig().replace(scene={"image_size_wh": (96, 64)},
                                                    photometric={"jpeg_p": 1.0})).trace(3, seed=1)
    assert trace.jpeg is not None and trace.image is None
    decoded = np.asarray(Image.open(io.BytesIO(trace.jpeg)).convert("RGB"))  # Pillow: not the code under test
    np.testing.assert_array_equal(trace.sample.image, decoded)
    assert trace.sample is trace.sample  # decoded once
