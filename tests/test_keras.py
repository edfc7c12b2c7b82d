"""The Keras side: endless streams (shapes, order, determinism, mixing, workers), the regressor, eval and predict."""

import json
import math

import cv2
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from click.testing import CliRunner  # noqa: E402

from synthcert import RenderConfig, Renderer  # noqa: E402
from synthcert.cli import main  # noqa: E402
from synthcert.keras import (  # noqa: E402
    CertificateStream,
    LuminanceStandardization,
    MixedStream,
    SoftArgmaxCorners,
    build_regressor,
    compile_regressor,
    heatmap_peaks,
    heatmap_spread,
    load_model,
    predict_photo,
)
from synthcert.samples import FieldLabel, Sample  # noqa: E402
from synthcert.training.options import TrainOptions  # noqa: E402

TINY = (64, 48)


def real_photo(value: int, corners_xy, size_wh=TINY) -> Sample:
    """A flat-coloured 'photo' whose pixel value tells it apart from rendered samples."""
    w, h = size_wh
    label = FieldLabel("AB 123", np.asarray(corners_xy, float), np.ones(4, bool))
    return Sample(np.full((h, w, 3), value, np.uint8), {"registration_number": label}, "real", source=f"{value}.jpg")


@pytest.fixture(scope="module")
def tiny_model():
    return compile_regressor(build_regressor(TINY, channels=(4, 8)))


def test_batches_are_float_images_in_unit_range_and_8_pixel_coordinates():
    images, corners = CertificateStream(batch_size=3, image_size=TINY, seed=0)[0]
    assert images.shape == (3, 48, 64, 3) and images.dtype == np.float32
    assert corners.shape == (3, 8) and corners.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.max() > 0.5


def test_stream_is_endless_for_keras():
    stream = CertificateStream(batch_size=2, image_size=TINY)
    assert stream.num_batches is None
    assert stream[10_000][0].shape[0] == 2


def test_labels_are_the_renderers_corners_tl_tr_br_bl_as_x_y_pairs():
    stream = CertificateStream(batch_size=2, image_size=TINY, seed=5)
    renderer = Renderer(config=RenderConfig().replace(scene={"image_size_wh": TINY}))
    images, corners = stream[3]
    for j in range(2):
        sample = renderer.render(index=3 * 2 + j, seed=5)
        np.testing.assert_array_equal(corners[j], sample.target.corners.reshape(8).astype(np.float32))
        np.testing.assert_array_equal(images[j], sample.image.astype(np.float32) / 255)


def test_batch_is_a_pure_function_of_configuration_seed_and_index():
    a = CertificateStream(batch_size=2, image_size=TINY, seed=1)
    b = CertificateStream(batch_size=2, image_size=TINY, seed=1)
    first = a[4]
    a[0], a[9]  # noqa: B018 - other batches in between must not change batch 4
    for x, y in zip(first, b[4], strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[1], CertificateStream(batch_size=2, image_size=TINY, seed=2)[4][1])


def test_a_stream_given_another_streams_pool_draws_from_it_instead_of_rendering_one():
    a = CertificateStream(batch_size=2, image_size=TINY, seed=1, pool_size=3, pool_workers=0)
    b = CertificateStream(batch_size=2, image_size=TINY, seed=1, pool=a.pool)
    assert b.pool is a.pool
    np.testing.assert_array_equal(a[5][0], b[5][0])


def test_a_renewing_pool_feeds_the_stream_fresh_samples_in_order():
    stream = CertificateStream(batch_size=3, image_size=TINY, seed=1, pool_size=4, pool_freshness=2, pool_workers=0,
                               pool_augment=1.0)
    batches = [stream[b] for b in range(6)]  # 18 serves reach pass 4: half the pool renewed four times
    assert all(x.shape == (3, TINY[1], TINY[0], 3) and y.shape == (3, 8) for x, y in batches)
    assert stream.pool.stats.rendered == 4 + 4 * 2 and stream.pool.stats.serves_per_sample > 1


def test_a_stream_whose_renewal_ended_serves_batch_zero_again_and_keeps_the_record():
    stream = CertificateStream(batch_size=4, image_size=TINY, seed=1, pool_size=4, pool_freshness=2, pool_workers=0)
    for b in range(3):
        stream[b]
    with pytest.raises(ValueError, match="serves batches in order"):
        stream[0]
    stream.end_renewal()
    assert stream[0][0].shape == (4, TINY[1], TINY[0], 3)
    assert stream.renewal.served == 12 and stream.renewal.rendered > 4


def test_real_photos_with_several_thread_workers_are_refused_with_the_fix():
    real = [real_photo(7, [[10, 10], [50, 10], [50, 20], [10, 20]])]
    with pytest.raises(ValueError, match="pass use_multiprocessing=True, or workers=1"):
        MixedStream(real, 0.5, workers=2, use_multiprocessing=False, image_size=TINY)


def test_a_renewing_pool_too_small_for_the_batches_threads_hold_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="a renewing pool needs at least 28 samples, or use fewer workers"):
        CertificateStream(batch_size=2, image_size=TINY, pool_size=12, pool_freshness=2, pool_workers=0, workers=4)


def test_a_renewing_pool_in_worker_processes_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="use thread workers"):
        CertificateStream(image_size=TINY, pool_size=4, pool_freshness=2, pool_workers=0, workers=2,
                          use_multiprocessing=True)


def test_thread_workers_get_the_batches_one_thread_gets_from_a_renewing_pool():
    # Keras's thread workers ask for batches in order but finish in any order; each batch stays a pure function
    # of its index, also across the passes where slots are renewed.
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    def stream():
        return CertificateStream(batch_size=2, image_size=TINY, seed=2, pool_size=12, pool_freshness=2,
                                 pool_workers=0, pool_augment=1.0, workers=2, max_queue_size=4)

    one = stream()
    alone = [one[b] for b in range(30)]  # 60 serves: five passes
    # As Keras fetches: at most max_queue_size batches in flight (submitting all 30 at once would let one thread
    # run passes ahead of a stalled other on a loaded machine, which Keras never does).
    served, together, in_flight = stream(), [], deque()
    with ThreadPoolExecutor(2) as threads:
        for b in range(30):
            in_flight.append(threads.submit(served.__getitem__, b))
            if len(in_flight) == 4:
                together.append(in_flight.popleft().result())
        together += [f.result() for f in in_flight]
    for (x, y), (xt, yt) in zip(alone, together, strict=True):
        np.testing.assert_array_equal(x, xt)
        np.testing.assert_array_equal(y, yt)


@pytest.mark.parametrize(("fraction", "batch_size", "expected"), [(0.25, 8, 2), (0.5, 5, 2), (1.0, 4, 4), (0.0, 4, 0)],
                         ids=["quarter", "half-of-odd-rounds-down", "all-real", "none"])
def test_every_batch_holds_the_chosen_share_of_real_photos(fraction, batch_size, expected):
    real = [real_photo(7, [[10, 10], [50, 10], [50, 20], [10, 20]])]
    stream = MixedStream(real, fraction, augmentation="none", batch_size=batch_size, image_size=TINY, seed=0)
    for index in range(3):
        images, _ = stream[index]
        is_real = np.all(np.abs(images - 7 / 255) < 1e-6, axis=(1, 2, 3))
        assert is_real.sum() == expected


def test_real_photos_of_any_size_are_letterboxed_with_their_corners():
    photo = real_photo(9, [[32, 24], [96, 24], [96, 48], [32, 48]], size_wh=(128, 96))
    _, corners = MixedStream([photo], 1.0, augmentation="none", batch_size=1, image_size=TINY)[0]
    np.testing.assert_allclose(corners[0], [16, 12, 48, 12, 48, 24, 16, 24])


def test_zero_coordinate_passes_through_the_stream_and_the_loss_unchanged(tiny_model):
    photo = real_photo(100, [[0, 0], [40, 0], [40, 10], [0, 10]])
    x, y = MixedStream([photo], 1.0, augmentation="none", batch_size=2, image_size=TINY)[0]
    assert np.array_equal(y[:, 0], [0.0, 0.0]) and np.array_equal(y[:, 1], [0.0, 0.0])
    pred = tiny_model.predict(x, verbose=0)
    loss = tiny_model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(np.abs(pred - y).mean(), rel=1e-5)  # zeros count like any coordinate


def test_mixed_batches_are_reproducible_including_the_augmentation():
    real = [real_photo(v, [[10, 10], [50, 12], [50, 22], [10, 20]]) for v in (60, 120, 180)]
    a = MixedStream(real, 0.5, batch_size=4, image_size=TINY, seed=3)
    b = MixedStream(real, 0.5, batch_size=4, image_size=TINY, seed=3)
    for x, y in zip(a[2], b[2], strict=True):
        np.testing.assert_array_equal(x, y)


def test_worker_processes_give_the_same_batches_and_finish_every_epoch(tiny_model):
    def stream(**parallel):
        return CertificateStream(batch_size=2, image_size=TINY, seed=4, **parallel)

    expected = tiny_model.predict(stream(), steps=3, verbose=0)
    parallel = stream(workers=2, use_multiprocessing=True)
    np.testing.assert_array_equal(tiny_model.predict(parallel, steps=3, verbose=0), expected)
    history = tiny_model.fit(parallel, steps_per_epoch=2, epochs=2, verbose=0, shuffle=False)  # keras #20425 hung
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize("head", ["heatmap", "dense"])
def test_default_regressor_is_small_and_starts_at_the_input_centre(head):
    model = build_regressor(head=head)
    w, h = TrainOptions().image_size
    assert model.count_params() <= 150_000
    assert model.input_shape == (None, h, w, 3) and model.output_shape == (None, 8)
    # Training starts from the centre (at inference a flat heatmap's window would sit on its first cell).
    np.testing.assert_allclose(model(np.zeros((1, h, w, 3), np.float32), training=True), [[w / 2, h / 2] * 4],
                               atol=1e-3)


def test_luminance_input_is_the_photos_grey_image_standardised_per_image():
    rng = np.random.default_rng(3)
    photos = rng.integers(0, 256, (2, 12, 16, 3), np.uint8)
    got = np.asarray(LuminanceStandardization()(photos.astype(np.float32) / 255))
    for photo, out in zip(photos, got, strict=True):  # independently: OpenCV's grey, numpy's statistics
        grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float64) / 255
        np.testing.assert_allclose(out[..., 0], (grey - grey.mean()) / (grey.std() + 0.02), atol=0.02)
    assert got.shape == (2, 12, 16, 1)


@pytest.mark.parametrize("input_mode, blind", [("luminance", True), ("rgb", False)])
def test_a_luminance_model_answers_a_photo_the_same_in_any_exposure_and_white_balance(input_mode, blind):
    model = build_regressor(TINY, channels=(4, 8), head="heatmap", input_mode=input_mode)
    rng = np.random.default_rng(4)
    grey = np.repeat(rng.random((1, TINY[1], TINY[0], 1), np.float32) * 0.8 + 0.1, 3, axis=-1)
    darker_and_flatter = 0.6 * grey + 0.1  # another brightness and contrast, the same grey image
    red, green = 0.08, -0.02
    tint = np.array([red, green, -(0.299 * red + 0.587 * green) / 0.114], np.float32)  # BT.601 luma 0
    tinted = grey + tint  # a magenta cast over the same luminance
    answers = [model.predict(v, verbose=0) for v in (grey, darker_and_flatter, tinted)]
    differences = [np.abs(a - answers[0]).max() for a in answers[1:]]
    if blind:
        assert max(differences) < 0.05  # pixels; not 0: the spread's floor (MIN_SPREAD) is not scaled
    else:
        assert min(differences) > 1e-4


def one_hot_heatmaps(cells_yx, grid_hw=(4, 6), sharpness=200.0):
    """Logits whose float32 softmax puts all of corner k's mass on cell cells_yx[k] (e^-200 underflows to 0)."""
    logits = np.zeros((1, *grid_hw, 4), np.float32)
    for k, (i, j) in enumerate(cells_yx):
        logits[0, i, j, k] = sharpness
    return logits


def test_soft_argmax_of_a_peaked_heatmap_is_that_cells_centre_plus_its_offset():
    layer = SoftArgmaxCorners((96, 64))  # a 6 x 4 grid of 16 x 16 px cells
    cells = [(0, 0), (0, 5), (3, 5), (2, 1)]
    offsets = np.zeros((1, 4, 6, 8), np.float32)
    offsets[0, 2, 1, 6:8] = np.arctanh([0.25, -0.5])  # corner 3's (dx, dy) at its cell, in cells, before tanh
    corners = np.asarray(layer(one_hot_heatmaps(cells), offsets))
    # Centres by hand: column j spans [16 j, 16 j + 16], so its centre is 16 j + 8.
    np.testing.assert_allclose(corners, [[8, 8, 88, 8, 88, 56, 24 + 4, 40 - 8]], atol=1e-4)


def test_soft_argmax_reaches_zero_and_the_far_border_exactly():
    offsets = np.zeros((1, 4, 6, 8), np.float32)
    offsets[0, 0, 0, 0:2] = np.arctanh(-0.5)  # corner 0: half a cell up-left of the first centre is (0, 0)
    offsets[0, 3, 5, 4:6] = np.arctanh(0.5)  # corner 2: half a cell down-right of the last centre is (W, H)
    corners = np.asarray(SoftArgmaxCorners((96, 64))(one_hot_heatmaps([(0, 0), (0, 0), (3, 5), (3, 5)]), offsets))
    np.testing.assert_allclose(corners[0, [0, 1, 4, 5]], [0.0, 0.0, 96.0, 64.0], atol=1e-4)


def test_an_offset_never_moves_a_corner_more_than_one_cell_from_its_centre():
    offsets = np.full((1, 4, 6, 8), 1e6, np.float32)  # what an unbounded offset head could answer
    corners = np.asarray(SoftArgmaxCorners((96, 64))(one_hot_heatmaps([(0, 0)] * 4), offsets))
    np.testing.assert_allclose(corners, [[8 + 16, 8 + 16] * 4], atol=1e-3)


def test_soft_argmax_of_a_flat_heatmap_is_the_mean_of_the_centres():
    corners = np.asarray(SoftArgmaxCorners((96, 64), window=None)(np.zeros((1, 4, 6, 4), np.float32),
                                                                  np.zeros((1, 4, 6, 8), np.float32)))
    np.testing.assert_allclose(corners, [[48, 32] * 4], atol=1e-4)


def test_at_inference_a_torn_heatmap_answers_at_its_stronger_peak_not_between_the_two():
    logits = np.zeros((1, 4, 6, 4), np.float32)
    logits[0, 1, 1, :] = 10.0  # every corner: the stronger peak at cell (row 1, column 1), centre (24, 24)
    logits[0, 2, 4, :] = 9.5  # ... and a weaker one at (row 2, column 4), centre (72, 40)
    offsets = np.zeros((1, 4, 6, 8), np.float32)
    layer = SoftArgmaxCorners((96, 64), window=1)
    # Inside the window the peak's 8 neighbours sit symmetrically around it, so their mass moves nothing.
    np.testing.assert_allclose(np.asarray(layer(logits, offsets, training=False)), [[24, 24] * 4], atol=1e-4)
    p = np.exp(logits[0, :, :, 0].ravel())
    p /= p.sum()
    ys, xs = np.mgrid[0:4, 0:6]
    everywhere = [(p * (16 * xs.ravel() + 8)).sum(), (p * (16 * ys.ravel() + 8)).sum()]
    np.testing.assert_allclose(np.asarray(layer(logits, offsets, training=True)), [everywhere * 4], atol=1e-3)
    assert 24 < everywhere[0] < 72  # training sees every cell: the answer between the peaks, as in the maths


def test_spread_is_zero_for_one_peak_and_half_the_gap_for_two_equal_peaks():
    logits = one_hot_heatmaps([(0, 0), (3, 5), (1, 2), (2, 2)])
    logits[0, 1, 4, 2] = logits[0, 1, 2, 2]  # corner 2: a second, equal peak two cells (32 px) to the right
    logits[0, 0, 2, 3] = logits[0, 2, 2, 3]  # corner 3: a second, equal peak two cells (32 px) above
    np.testing.assert_allclose(heatmap_spread(logits, (96, 64)), [[0, 0, 16, 16]], atol=1e-6)


def test_heatmap_peaks_are_the_strongest_cell_then_the_other_local_maxima_with_their_probabilities():
    logits = np.zeros((1, 4, 6, 4), np.float32)
    logits[0, 1, 1, :] = 5.0  # every corner: the strongest cell at (row 1, column 1), centre (24, 24)
    logits[0, 2, 4, :] = 4.0  # ... and a local maximum at (row 2, column 4), centre (72, 40)
    offsets = np.zeros((1, 4, 6, 8), np.float32)
    offsets[0, 2, 4, 2:4] = np.arctanh(0.25)  # corner 1's second peak: a quarter cell (4 px) right and down
    xy, log_p = heatmap_peaks(logits, offsets, (96, 64), 3)
    # The window's neighbours sit symmetrically around each peak and carry no offset but that one cell's
    # (weight e^4 / (e^4 + 8) of its window): positions by hand.
    w = np.exp(4.0) / (np.exp(4.0) + 8)
    np.testing.assert_allclose(xy[0, :, 0], [[24, 24]] * 4, atol=1e-5)
    np.testing.assert_allclose(xy[0, [0, 2, 3], 1], [[72, 40]] * 3, atol=1e-5)
    np.testing.assert_allclose(xy[0, 1, 1], [72 + 4 * w, 40 + 4 * w], atol=1e-5)
    total = np.exp(5.0) + np.exp(4.0) + 22  # the softmax over the 24 cells
    np.testing.assert_allclose(log_p[0, :, :2], [[5 - np.log(total), 4 - np.log(total)]] * 4, atol=1e-6)
    assert np.all(log_p[0, :, 2] == -np.inf)  # no third peak: the flat cells are no stronger than their neighbours
    np.testing.assert_allclose(xy[0, :, 2], xy[0, :, 0])


def test_the_first_heatmap_peak_is_the_models_own_answer():
    model = build_regressor(TINY, channels=(4, 8), head="heatmap")
    for layer in model.layers:  # random heads, so that the heatmaps have many peaks and offsets move them
        if layer.name in ("heatmaps", "offsets"):
            kernel, bias = layer.get_weights()
            layer.set_weights([np.random.default_rng(1).normal(0, 1, kernel.shape).astype(np.float32), bias])
    x = np.random.default_rng(0).random((3, TINY[1], TINY[0], 3), np.float32)
    probe = keras.Model(model.inputs[0], [model.get_layer(n).output for n in ("heatmaps", "offsets")])
    logits, offsets = (np.asarray(t) for t in probe(x, training=False))
    xy, log_p = heatmap_peaks(logits, offsets, TINY, 2)
    np.testing.assert_allclose(xy[:, :, 0].reshape(3, 8), model.predict(x, verbose=0), atol=1e-3)
    assert np.all(log_p[:, :, 0] >= log_p[:, :, 1])


def test_heatmap_head_refuses_an_input_its_pyramid_cannot_halve_evenly():
    with pytest.raises(ValueError, match="sides are multiples of 8; got 60x48"):
        build_regressor((60, 48), channels=(4, 8), head="heatmap")


def test_heatmap_regressor_survives_save_and_load(tmp_path):
    model = build_regressor(TINY, channels=(4, 8), head="heatmap")
    x = np.random.default_rng(0).random((2, TINY[1], TINY[0], 3), np.float32)
    model.save(tmp_path / "m.keras")
    np.testing.assert_array_equal(load_model(tmp_path / "m.keras").predict(x, verbose=0), model.predict(x, verbose=0))


def test_too_many_blocks_for_the_input_are_refused():
    with pytest.raises(ValueError, match="4 blocks on a 16x16 input; expected .* at least 2 \\*\\* \\(blocks"):
        build_regressor((16, 16), channels=(4, 4, 4, 4))


def constant_model(path, corners_relative):
    """A saved tiny regressor that always predicts the same corners (fractions of the input size)."""
    model = build_regressor(TINY, channels=(4,), head="dense")
    dense = model.get_layer("corners_relative")
    dense.set_weights([np.zeros_like(dense.get_weights()[0]), np.asarray(corners_relative, np.float32)])
    model.save(path)
    return path


def test_predict_maps_corners_back_to_the_photos_pixels(tmp_path):
    model = load_model(constant_model(tmp_path / "m.keras", [0.25, 0.5, 0.75, 0.5, 0.75, 0.75, 0.25, 0.75]))
    corners = predict_photo(model, np.zeros((96, 256, 3), np.uint8))  # 64x24 inside the 64x48 input, 12 px pad
    np.testing.assert_allclose(corners, [[64, 48], [192, 48], [192, 96], [64, 96]], atol=1e-4)


def test_eval_command_reports_errors_and_draws_them(tmp_path):
    from synthcert.datasets import write_dataset

    renderer = Renderer(config=RenderConfig().replace(scene={"image_size_wh": (96, 72)}))
    write_dataset([renderer.render(i, seed=0) for i in range(3)], tmp_path / "data", formats=["coco"])
    model = constant_model(tmp_path / "m.keras", [0.5] * 8)
    args = ["eval", str(model), str(tmp_path / "data"), "--draw", str(tmp_path / "drawn"), "--json",
            str(tmp_path / "e.json")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 synthetic photos, stage 1 only: hit rate 0/3 (0%); corner error mean")
    metrics = json.loads((tmp_path / "e.json").read_text())["overall"]
    assert metrics["count"] == 3 and metrics["mean_px"] > 0 and metrics["mean_pct_text_height"] > 25
    assert len(list((tmp_path / "drawn").iterdir())) == 3


def test_predict_command_prints_corners_and_writes_box_and_rectified_crop(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "photo.png"), np.full((48, 64, 3), 200, np.uint8))
    model = constant_model(tmp_path / "m.keras", [0.25, 0.25, 0.75, 0.25, 0.75, 0.5, 0.25, 0.5])
    args = ["predict", str(model), str(tmp_path / "photo.png"), "--draw", str(tmp_path / "drawn"),
            "--crop", str(tmp_path / "crops"), "--crop-height", "16"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.strip())
    np.testing.assert_allclose([record[k] for k in ("top_left", "top_right", "bottom_right", "bottom_left")],
                               [[16, 12], [48, 12], [48, 24], [16, 24]], atol=0.01)
    assert cv2.imread(str(tmp_path / "crops" / "photo.png")).shape == (16, 43, 3)
    assert cv2.imread(str(tmp_path / "drawn" / "photo.png")).shape == (48, 64, 3)


def test_predict_with_a_heatmap_model_prints_each_corners_spread_in_photo_pixels(tmp_path):
    import cv2

    model = build_regressor(TINY, channels=(4, 8), head="heatmap")
    heatmaps = model.get_layer("heatmaps")
    heatmaps.set_weights([np.zeros_like(w) for w in heatmaps.get_weights()])  # flat: mass on every cell alike
    model.save(tmp_path / "m.keras")
    cv2.imwrite(str(tmp_path / "photo.png"), np.full((96, 128, 3), 200, np.uint8))  # 2 x the 64 x 48 input
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "m.keras"), str(tmp_path / "photo.png")])
    assert result.exit_code == 0, result.output
    # A flat heatmap over a 16 x 12 grid of 4 px cells: the centres' variance is c^2 (n^2 - 1) / 12 per axis.
    expected = 2 * np.sqrt(16 * (16**2 - 1) / 12 + 16 * (12**2 - 1) / 12)
    np.testing.assert_allclose(json.loads(result.output)["spread_px"], [expected] * 4, atol=0.01)


@pytest.mark.parametrize(("content", "message"), [(None, "no such image file; check the path"),
                                                  (b"not an image", "cannot read or decode the image")],
                         ids=["missing", "undecodable"])
def test_unreadable_photo_is_a_one_line_user_error(tmp_path, content, message):
    photo = tmp_path / "photo.jpg"
    if content is not None:
        photo.write_bytes(content)
    model = constant_model(tmp_path / "m.keras", [0.5] * 8)
    result = CliRunner().invoke(main, ["predict", str(model), str(photo)])
    assert result.exit_code == 2 and f"photo.jpg: {message}" in result.output
    assert "Traceback" not in result.output


def test_a_keras_model_that_is_not_a_corner_model_is_a_one_line_user_error(tmp_path):
    other = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(3)])
    other.save(tmp_path / "other.keras")
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "other.keras"), str(tmp_path / "x.png")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "other.keras: maps shape (None, 8, 8, 3) to (None, 3); expected a corner model" in result.stderr


def test_missing_model_file_is_a_one_line_user_error(tmp_path):
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "none.keras"), str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert "none.keras: no such model file; give a .keras file written by train.py" in result.output


@pytest.mark.parametrize(("spent_s", "stops"), [(55.0, True), (50.0, False)], ids=["would-overrun", "fits"])
def test_time_limit_stops_after_the_epoch_whose_successor_would_overrun(tiny_model, spent_s, stops):
    import time

    from synthcert.keras import TimeLimit

    limit = TimeLimit(max_minutes=1.0, start=time.monotonic() - spent_s)
    limit.set_model(tiny_model)
    tiny_model.stop_training = False
    limit.on_train_begin()
    limit.fit_start -= 6.0  # the first epoch took 6 s: the next would end at spent_s + 6 s
    limit.on_epoch_end(0)
    assert tiny_model.stop_training is stops and (limit.stopped_epoch == 0) is stops


@pytest.mark.parametrize(("steps", "stopped", "refine", "minutes"), [
    (700, True, True, 53), (700, True, False, 35), (2_000, True, True, None), (700, False, True, None),
], ids=["short-two-stages", "short-stage-1-only", "enough-steps", "not-cut"])
def test_a_stage_one_cut_short_by_the_time_limit_is_flagged_with_the_minutes_that_would_do(steps, stopped, refine,
                                                                                            minutes):
    from synthcert.keras import TimeLimit
    from synthcert.keras.fit import short_budget_warning
    from synthcert.training.options import TrainOptions

    # 60 s of set-up, then 1 s a step: 2,000 steps need 60 + 2,000 s of stage 1, which is 65 % of two stages' budget.
    limit = TimeLimit(max_minutes=13.0, start=1_000.0)
    limit.fit_start = 1_060.0
    limit.stopped_at = 1_060.0 + steps if stopped else None
    warning = short_budget_warning(TrainOptions(epochs=30, steps_per_epoch=100, refine=refine, refine_share=0.35),
                                   steps, limit)
    if minutes is None:
        assert warning is None
    else:
        assert f"after {steps:,} of 3,000 steps" in warning and f"--max-minutes {minutes} " in warning
        assert minutes == math.ceil((60 + 2_000) / 60 / (0.65 if refine else 1.0))


def test_annealed_learning_rate_holds_then_falls_along_a_half_cosine_over_the_last_steps(tiny_model):
    from synthcert.keras import AnnealToBudget

    seen = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: seen.append(float(tiny_model.optimizer.learning_rate.numpy())))
    x, y = np.zeros((4, 48, 64, 3), np.float32), np.full((4, 8), 20.0, np.float32)
    anneal = AnnealToBudget(20, floor=0.01, hold=0.6)
    tiny_model.fit(x, y, batch_size=1, epochs=5, verbose=0, callbacks=[anneal, record])
    assert len(seen) == 20
    np.testing.assert_allclose(seen[:13], 1e-3)  # compile_regressor's rate, held for steps 0 ... 12 (0.6 of 20)
    assert all(b < a for a, b in zip(seen[12:], seen[13:], strict=False))
    assert seen[16] == pytest.approx(1e-3 * (1 + 0.01) / 2, rel=1e-5)  # halfway down at half the decay's steps
    assert seen[-1] < 0.05 * 1e-3  # the last step starts at 19/20 of the budget: 7/8 of the way down


@pytest.mark.parametrize(("spent_s", "expected"), [(30.0, 0.5), (60.0, 1.0)], ids=["half-spent", "spent"])
def test_annealed_learning_rate_follows_the_time_limit_when_time_runs_out_before_the_steps(spent_s, expected):
    import time

    from synthcert.keras import AnnealToBudget, TimeLimit

    now = time.monotonic()
    anneal = AnnealToBudget(10_000, TimeLimit(max_minutes=1.0, start=now - spent_s))
    anneal.step, anneal.fit_start = 1, now - spent_s  # training began with the budget: 60 s to go, spent_s spent
    assert anneal.progress() == pytest.approx(expected, abs=0.01)
