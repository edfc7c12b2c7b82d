"""The two-stage detector: answers that are one plausible quad, save and load, BatchNorm adaptation, eval --real."""

import dataclasses
import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from click.testing import CliRunner  # noqa: E402

from synthcert.cli import main  # noqa: E402
from synthcert.keras import Detector, adapt_batchnorm, adapt_detector, build_regressor, load_detector  # noqa: E402
from synthcert.samples import FieldLabel, Sample  # noqa: E402
from synthcert.training.calibration import Calibration  # noqa: E402
from synthcert.training.refine import Canvas, Search  # noqa: E402

TINY = (64, 48)
UPRIGHT = [0.25, 0.4, 0.75, 0.4, 0.75, 0.6, 0.25, 0.6]  # fractions of the input: a box in the middle
CROSSED = [0.25, 0.4, 0.75, 0.6, 0.75, 0.4, 0.25, 0.6]  # TR and BR swapped: the outline crosses itself
FOLDED = [0.25, 0.4, 0.75, 0.4, 0.75, 0.6, 0.25, 0.42]  # BL lifted onto TL's line: the left side nearly vanishes


def constant(size_wh, corners_relative, channels=(4,)):
    """A regressor that always answers the same corners (fractions of its input)."""
    model = build_regressor(size_wh, channels=channels, head="dense")
    dense = model.get_layer("corners_relative")
    dense.set_weights([np.zeros_like(dense.get_weights()[0]), np.asarray(corners_relative, np.float32)])
    return model


def photo(size_wh=(128, 96), value=128):
    w, h = size_wh
    return np.full((h, w, 3), value, np.uint8)


def test_crossed_coarse_corners_are_never_returned_and_say_why():
    where = Detector(constant(TINY, CROSSED)).locate(photo())
    assert where.corners_xy is None and where.confidence == 0.0
    assert "self-intersecting" in where.problem and "split its corners between places" in where.problem


def test_folded_coarse_corners_are_never_returned_and_say_why():
    where = Detector(constant(TINY, FOLDED)).locate(photo())
    assert where.corners_xy is None and "is folded: its right side" in where.problem


def test_crossed_refined_corners_fall_back_to_the_coarse_quad():
    detector = Detector(constant(TINY, UPRIGHT), refiner=constant(Canvas().size_wh, CROSSED))
    where = detector.locate(photo())
    assert not where.refined and where.problem.startswith("no refined quad is a plausible view (the last is self-")
    assert where.problem.endswith("the coarse one is given")
    np.testing.assert_allclose(where.corners_xy, where.coarse_xy)


def test_a_folded_coarse_quad_is_refined_from_the_rectangles_around_it():
    canvas = Canvas()
    x0, y0, x1, y1 = (np.array(canvas.quad_box) / np.tile(canvas.size_wh, 2)).tolist()
    tapered = [30 / 64, 0.4, 34 / 64, 0.4, 0.75, 0.6, 0.25, 0.6]  # top side 8 x shorter than the bottom: folded
    detector = Detector(constant(TINY, tapered), refiner=constant(canvas.size_wh, [x0, y0, x1, y0, x1, y1, x0, y1]),
                        search=Search(consensus=False))  # without spreads, the first answer: its first start
    where = detector.locate(photo())  # the refiner answers its start: the search's first rectangle
    assert where.refined and where.problem is None
    # 128 x 96 letterboxes into 64 x 48 at scale 0.5, so the coarse quad is (60, 38.4) (68, 38.4) (96, 57.6)
    # (32, 57.6) in the photo: centre (64, 48), mean width 36, sides sqrt(28^2 + 19.2^2) = 33.95 long. The
    # first start is that wide and high, one height above: centre y 48 - 33.95.
    top, bottom = 48 - 1.5 * 33.9505, 48 - 0.5 * 33.9505
    np.testing.assert_allclose(where.corners_xy, [[46, top], [82, top], [82, bottom], [46, bottom]], atol=1e-3)


def test_the_search_keeps_the_refined_answer_with_the_sharpest_heatmaps(monkeypatch):
    import synthcert.keras.detector as detector_module

    canvas = Canvas()
    bx0, by0, bx1, by1 = (int(v) for v in canvas.quad_box)

    def darkness_is_sharpness(refiner, canvases):  # answers each start's own quad, sharp where it is dark
        corners = np.tile([[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1]], (len(canvases), 1, 1)).astype(float)
        spread = canvases[:, by0:by1, bx0:bx1].mean(axis=(1, 2, 3)) / 255 * canvas.text_height
        return corners, np.repeat(spread[:, None], 4, axis=1)

    monkeypatch.setattr(detector_module, "refine_canvases", darkness_is_sharpness)
    image = photo((400, 300), value=220)
    image[165:195] = 20  # a dark line just below the coarse quad (y 120 ... 180): where the half-height start lies
    detector = Detector(constant(TINY, UPRIGHT), refiner=constant(canvas.size_wh, UPRIGHT),
                        search=Search(zooms=(), snap=False, consensus=False))
    # the starts around the coarse quad, the sharpest of all (`consensus` has its own test); the line runs
    # across the photo, so snapped ends would move out by the snap's reach
    where = detector.locate(image)
    assert where.refined
    np.testing.assert_allclose(where.corners_xy, [[100, 165], [300, 165], [300, 195], [100, 195]], atol=1e-3)


def test_stage_one_on_crops_answers_in_the_photos_pixels():
    from synthcert.keras.model import locate_views

    # 120 x 90 photo, 64 x 48 input and 80 x 60 crops: all 4:3, so no letterbox padding; UPRIGHT is a fraction
    # of the input, so in a crop at (x0, y0) its top-left is (x0 + 0.25 * 80, y0 + 0.4 * 60)
    corners, _, _ = locate_views(constant(TINY, UPRIGHT), photo((120, 90)), [(0, 0, 120, 90), (40, 15, 120, 75)])
    np.testing.assert_allclose(corners[0], [[30, 36], [90, 36], [90, 54], [30, 54]], atol=1e-4)
    np.testing.assert_allclose(corners[1], [[60, 39], [100, 39], [100, 51], [60, 51]], atol=1e-4)


def test_stage_ones_heatmap_peaks_come_back_in_the_photos_pixels_as_its_corners_do():
    from synthcert.keras.model import locate_views

    model = build_regressor(TINY, channels=(4, 8), head="heatmap")
    image = np.random.default_rng(2).integers(0, 256, (90, 120, 3), dtype=np.uint8)
    boxes = [(0, 0, 120, 90), (40, 15, 120, 75), (10, 5, 70, 85)]  # the photo, a 4:3 crop, a letterboxed one
    corners, _, (peaks_xy, log_p) = locate_views(model, image, boxes, peaks=2)
    # The first peak is the model's own answer (test_keras), so in the photo it must be where the corners are,
    # which the Dense-head test above pins by hand.
    np.testing.assert_allclose(peaks_xy[:, :, 0], corners, atol=1e-3)
    assert peaks_xy.shape == (3, 4, 2, 2) and log_p.shape == (3, 4, 2)
    assert locate_views(model, image, boxes)[2] is None  # no peaks asked, none computed


def test_a_zoomed_view_is_searched_when_the_whole_photo_splits_its_corners(monkeypatch):
    import synthcert.keras.detector as detector_module

    crossed = np.array([[10, 10], [50, 30], [50, 10], [10, 30.]])
    seen = np.array([[60, 40], [100, 40], [100, 52], [60, 52.]])

    def views(model, image, boxes, peaks=0):  # the whole photo splits; one zoomed view sees the number
        quads = np.stack([crossed] * len(boxes))
        quads[3:4] = seen  # the third crop of the zoomed grid, when there is one
        return quads, None, None

    monkeypatch.setattr(detector_module, "locate_views", views)
    canvas = Canvas()
    x0, y0, x1, y1 = (np.array(canvas.quad_box) / np.tile(canvas.size_wh, 2)).tolist()
    on_start = constant(canvas.size_wh, [x0, y0, x1, y0, x1, y1, x0, y1])  # answers the quad it starts from
    where = Detector(constant(TINY, UPRIGHT), refiner=on_start).locate(photo((160, 120)))
    assert where.refined and where.problem is None
    np.testing.assert_allclose(where.corners_xy, seen, atol=1e-3)
    np.testing.assert_allclose(where.coarse_xy, crossed)  # stage 1's own answer stays the whole photo's
    alone = Detector(constant(TINY, UPRIGHT), refiner=on_start, search=Search(zooms=())).locate(photo((160, 120)))
    assert alone.corners_xy is None and "split its corners" in alone.problem


def test_a_turned_view_is_searched_when_the_upright_views_split_their_corners(monkeypatch):
    import synthcert.keras.detector as detector_module

    crossed = np.array([[10, 10], [50, 30], [50, 10], [10, 30.]])
    seen_turned = np.array([[30, 100], [30, 60], [42, 60], [42, 100.]])  # on the 120 x 160 photo turned once

    def views(model, image, boxes, peaks=0):  # every upright view splits; the photo turned a quarter sees the number
        turned = image.shape[:2] == (160, 120)
        return np.stack([seen_turned if turned else crossed] * len(boxes)), None, None

    monkeypatch.setattr(detector_module, "locate_views", views)
    canvas = Canvas()
    x0, y0, x1, y1 = (np.array(canvas.quad_box) / np.tile(canvas.size_wh, 2)).tolist()
    on_start = constant(canvas.size_wh, [x0, y0, x1, y0, x1, y1, x0, y1])  # answers the quad it starts from
    where = Detector(constant(TINY, UPRIGHT), refiner=on_start, search=Search(turns=(1,))).locate(photo((160, 120)))
    assert where.refined and where.problem is None
    # np.rot90 turns counter-clockwise: the photo's (x, y) is the turned photo's (y, 160 - x), so the turned
    # view's (x', y') is the photo's (160 - y', x')
    np.testing.assert_allclose(where.corners_xy, [[60, 30], [100, 30], [100, 42], [60, 42]], atol=1e-3)
    assert Detector(constant(TINY, UPRIGHT), refiner=on_start, search=Search(turns=())).locate(
        photo((160, 120))).corners_xy is None


def test_a_view_whose_corners_split_offers_its_second_peaks_as_a_start(monkeypatch):
    import synthcert.keras.detector as detector_module

    seen = np.array([[60, 40], [100, 40], [100, 52], [60, 52.]])  # the number
    crossed = seen[[0, 2, 1, 3]]  # the view's own reading: TR and BR torn and swapped, so no start

    def views(model, image, boxes, peaks=0):  # TR's and BR's second peaks are where the number's are
        k = len(boxes)
        own = np.stack([crossed] * k)
        if not peaks:
            return own, None, None
        xy = np.stack([np.stack([crossed, seen], axis=1)] * k)  # (K, 4 corners, 2 peaks, 2)
        log_p = np.log(np.tile([[1.0, 1.0], [0.6, 0.4], [0.6, 0.4], [1.0, 1.0]], (k, 1, 1)))
        log_p[:, [0, 3], 1] = -np.inf  # TL and BL have one peak each
        return own, None, (xy, log_p)

    monkeypatch.setattr(detector_module, "locate_views", views)
    canvas = Canvas()
    x0, y0, x1, y1 = (np.array(canvas.quad_box) / np.tile(canvas.size_wh, 2)).tolist()
    on_start = constant(canvas.size_wh, [x0, y0, x1, y0, x1, y1, x0, y1])  # answers the quad it starts from
    search = Search(zooms=(), turns=(), snap=False)
    where = Detector(constant(TINY, UPRIGHT), refiner=on_start, search=search).locate(photo((160, 120)))
    assert where.refined and where.problem is None
    np.testing.assert_allclose(where.corners_xy, seen, atol=1e-3)
    alone = Detector(constant(TINY, UPRIGHT), refiner=on_start, search=dataclasses.replace(search, alternatives=0))
    assert alone.locate(photo((160, 120))).corners_xy is None


def test_a_parallelogram_search_answers_the_parallelogram_nearest_the_refined_corners():
    canvas = Canvas((128, 64), (32.0, 24.0, 96.0, 40.0))
    # the refiner puts its top-left corner 8 canvas px right of the quad box's, the other three on it
    off_tl = [40 / 128, 24 / 64, 96 / 128, 24 / 64, 96 / 128, 40 / 64, 32 / 128, 40 / 64]
    one_pass = Search(heights=(), shifts=(), passes=1)
    free, fitted = (Detector(constant(TINY, UPRIGHT), refiner=constant(canvas.size_wh, off_tl), canvas=canvas,
                             search=dataclasses.replace(one_pass, parallelogram=p)).locate(photo())
                    for p in (False, True))
    assert free.refined and fitted.refined
    # the coarse quad is (32, 38.4) (96, 38.4) (96, 57.6) (32, 57.6): the canvas's quad box, 1 canvas px = 1 px
    np.testing.assert_allclose(free.corners_xy, [[40, 38.4], [96, 38.4], [96, 57.6], [32, 57.6]], atol=1e-3)
    # d = TL + BR - TR - BL = (8, 0): TL and BR move by -2 px, TR and BL by +2 px
    np.testing.assert_allclose(fitted.corners_xy, [[38, 38.4], [98, 38.4], [94, 57.6], [34, 57.6]], atol=1e-3)


def test_refined_corners_come_back_through_the_inverse_of_the_canvas_homography():
    canvas = Canvas((128, 64), (32.0, 24.0, 96.0, 40.0))
    on_quad_box = [32 / 128, 24 / 64, 96 / 128, 24 / 64, 96 / 128, 40 / 64, 32 / 128, 40 / 64]
    detector = Detector(constant(TINY, UPRIGHT), refiner=constant(canvas.size_wh, on_quad_box), canvas=canvas)
    where = detector.locate(photo())
    assert where.refined  # a refiner answering the quad box itself gives the coarse quad back
    np.testing.assert_allclose(where.corners_xy, where.coarse_xy, atol=1e-3)


def test_the_answer_ends_where_the_ink_on_its_line_ends():
    canvas = Canvas()
    on_quad_box = [32 / 128, 24 / 64, 96 / 128, 24 / 64, 96 / 128, 40 / 64, 32 / 128, 40 / 64]
    image = photo(value=220)
    image[36:61, 28:100] = 30  # a bar of ink 4 px longer at each end than the coarse quad, (32, 38.4)-(96, 57.6)
    answers = {snap: Detector(constant(TINY, UPRIGHT), refiner=constant(canvas.size_wh, on_quad_box),
                              search=Search(snap=snap)).locate(image) for snap in (False, True)}
    assert answers[True].refined and answers[True].problem is None
    np.testing.assert_allclose(answers[False].corners_xy, [[32, 38.4], [96, 38.4], [96, 57.6], [32, 57.6]], atol=1e-3)
    np.testing.assert_allclose(answers[True].corners_xy, [[28, 38.4], [100, 38.4], [100, 57.6], [28, 57.6]], atol=0.7)


def test_detector_directory_survives_save_and_load(tmp_path):
    detector = Detector(constant(TINY, UPRIGHT), constant(Canvas().size_wh, UPRIGHT), Canvas(),
                        Calibration(1.0, -2.0, 10, 0.5), target="vin",
                        search=Search((0.75,), (0.5,), 3, True, (2.0,), (2,), False, 1))
    detector.save(tmp_path / "det")
    loaded = load_detector(tmp_path / "det")
    assert loaded.target == "vin" and loaded.calibration == detector.calibration and loaded.canvas == Canvas()
    assert loaded.search == Search((0.75,), (0.5,), 3, True, (2.0,), (2,), False, 1)
    a, b = detector.locate(photo()), loaded.locate(photo())
    np.testing.assert_allclose(a.corners_xy, b.corners_xy, atol=1e-5)


def test_a_directory_without_a_detector_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["predict", str(tmp_path), str(tmp_path / "x.png")])
    assert result.exit_code == 2 and "is no detector: expected a .keras file or a directory" in result.output


def test_adapted_batchnorm_normalises_like_the_photos_own_batch_statistics():
    model = build_regressor(TINY, channels=(4, 8), head="heatmap")
    x = np.random.default_rng(0).uniform(0.2, 0.9, (6, 48, 64, 3)).astype(np.float32)
    assert adapt_batchnorm(model, x, weight=1.0) == 3  # two blocks and the head
    first = keras.Model(model.inputs[0], model.get_layer("bn0").output)
    # Keras's own BatchNormalization in training mode normalises with the batch's statistics: the oracle.
    np.testing.assert_allclose(first(x, training=False), first(x, training=True), atol=2e-3)


def test_a_few_photos_move_the_statistics_a_little_and_many_almost_all_the_way():
    from synthcert.keras.adapt import PRIOR_PHOTOS, photo_weight

    assert photo_weight(1) == pytest.approx(1 / 17) and photo_weight(PRIOR_PHOTOS) == 0.5
    assert photo_weight(1000) > 0.98
    keras.utils.set_random_seed(0)
    # Colour input: the grey input's per-image standardisation leaves the first layer's mean near 0, too
    # small a move to measure.
    model = build_regressor(TINY, channels=(4, 8), head="heatmap", input_mode="rgb")
    before = model.get_layer("bn0").moving_mean.numpy().copy()
    photos = np.random.default_rng(1).integers(50, 230, (3, 48, 64, 3), np.uint8)  # already at the input size
    assert adapt_detector(Detector(model), list(photos))["weight"] == pytest.approx(3 / 19)
    moved = model.get_layer("bn0").moving_mean.numpy()
    features = keras.Model(model.inputs[0], model.get_layer("conv0").output)(photos / np.float32(255))
    photos_mean = np.asarray(features).mean(axis=(0, 1, 2))
    assert np.abs(photos_mean - before).max() > 0.01  # a move to see
    np.testing.assert_allclose(moved, before + 3 / 19 * (photos_mean - before), rtol=1e-4, atol=1e-6)


def test_eval_real_reports_every_photo_and_draws_it(tmp_path):
    import cv2

    from synthcert.datasets import write_dataset

    label = FieldLabel("AB 123", np.array([[32, 38.4], [96, 38.4], [96, 57.6], [32, 57.6]]), np.ones(4, bool))
    samples = [Sample(photo(value=v), {"registration_number": label}, "real", source=f"p{v}.png") for v in (90, 160)]
    write_dataset(samples, tmp_path / "data", formats=["coco"])
    detector_dir = Detector(constant(TINY, UPRIGHT)).save(tmp_path / "det")
    args = ["eval", str(detector_dir), "--real", str(tmp_path / "data"), "--draw", str(tmp_path / "drawn"), "--json",
            str(tmp_path / "e.json")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 3 and all(": hit; corner error mean 0.0 % of the text height" in line for line in lines[:2])
    assert lines[2].startswith("2 real photos, stage 1 only: hit rate 2/2 (100%)")
    assert json.loads((tmp_path / "e.json").read_text())["overall"]["hit_rate"] == 1.0
    drawn = sorted(p.name for p in (tmp_path / "drawn").iterdir())
    assert len(drawn) == 2 and cv2.imread(str(tmp_path / "drawn" / drawn[0])).shape[1] == 960


def test_predict_prints_null_corners_and_the_problem_for_a_crossed_answer(tmp_path):
    import cv2

    Detector(constant(TINY, CROSSED)).save(tmp_path / "det")
    cv2.imwrite(str(tmp_path / "p.png"), photo())
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "det"), str(tmp_path / "p.png"), "--crop",
                                       str(tmp_path / "crops")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["top_left"] is None and "self-intersecting" in record["problem"]
    assert not (tmp_path / "crops").exists()


def test_predict_refers_corners_to_the_stored_pixels_whatever_the_exif_orientation(tmp_path):
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees to display": a viewer would show this 128 x 64 photo as 64 x 128
    Image.fromarray(photo((128, 64))).save(tmp_path / "p.jpg", exif=exif)
    Detector(constant(TINY, UPRIGHT)).save(tmp_path / "det")
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "det"), str(tmp_path / "p.jpg")])
    assert result.exit_code == 0, result.output
    # Stored 128 x 64 letterboxes into 64 x 48 at scale 0.5 with 8 px bars above and below.
    assert json.loads(result.output)["top_left"] == pytest.approx([32.0, (0.4 * 48 - 8) * 2])
