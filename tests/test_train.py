"""`python train.py`: a two-step run on tiny images, mixed with real photos, writes every artefact."""

import json

import cv2
import numpy as np
import pytest

pytest.importorskip("keras")

import train  # noqa: E402
from synthcert import RenderConfig, Renderer  # noqa: E402
from synthcert.datasets import write_dataset  # noqa: E402

TINY = ["--image-size", "64x48", "--channels", "4,8", "--batch-size", "4", "--validation-count", "8",
        "--pool-size", "8", "--pool-workers", "1", "--verbose", "0", "--refine-count", "4", "--refine-photo-size",
        "160x120", "--refine-channels", "4,8", "--pseudo-label-steps", "2"]


def test_two_step_mixed_run_writes_every_artefact(tmp_path, capsys):
    renderer = Renderer(config=RenderConfig().replace(scene={"image_size_wh": (96, 72)}))
    write_dataset([renderer.render(i, seed=9) for i in range(5)], tmp_path / "real", formats=["coco"])
    (tmp_path / "unlabelled").mkdir()
    for i in range(2):
        cv2.imwrite(str(tmp_path / "unlabelled" / f"u{i}.jpg"), renderer.render(i, seed=11).image)
    out = tmp_path / "run"
    code = train.main([*TINY, "--out", str(out), "--epochs", "2", "--steps-per-epoch", "1", "--real",
                       str(tmp_path / "real"), "--real-fraction", "0.5", "--unlabelled", str(tmp_path / "unlabelled")])
    assert code == 0
    for name in ("best.keras", "refine.keras", "detector.json", "log.csv", "refine_log.csv", "curves.png",
                 "predictions.png", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"]["parameters"] > 0 and summary["model"]["size_bytes"] > 0
    assert summary["inference"]["cpu_ms_per_image_batch_1"] > 0
    assert summary["training"]["steps"] == 2 and summary["training"]["real_photos"] == {"train_real": 4, "val_real": 1}
    for source in ("synthetic", "real"):
        assert {"mean_px", "mean_pct_width", "mean_pct_text_height", "hit_rate"} <= set(summary["validation"][source])
    assert summary["validation"]["real"]["count"] == 1  # the held-out photo, in its own 96 x 72 pixels
    assert summary["adaptation"]["photos"] == 2 and summary["adaptation"]["coarse_layers"] == 3
    assert summary["refine"]["real_neighbourhoods"] == 4
    phone = summary["refine"]["phone_test"]
    assert phone["size_wh"] == [160, 120] and {"coarse", "refined"} <= set(phone)
    log = (out / "log.csv").read_text().splitlines()
    header = log[0].split(",")
    assert {"loss", "val_loss", "train_synthetic_loss", "train_real_loss", "val_real_loss"} <= set(header)
    rates = [float(row.split(",")[header.index("learning_rate")]) for row in log[1:]]
    assert rates == pytest.approx([1e-3, 1e-3])  # logged per epoch; held over the first 70 % of the steps
    assert json.loads(capsys.readouterr().out)["validation"]["synthetic"]["count"] == 8


def test_a_renewing_pool_is_renewed_while_keras_threads_train_and_reported(tmp_path):
    # 24 steps of 4 from a 48-sample pool served twice per sample, fetched by two Keras threads: renders replace
    # it in the background; after stage 1 it stops renewing, so the BatchNorm statistics can start at batch 0.
    out = tmp_path / "run"
    code = train.main([*TINY, "--out", str(out), "--epochs", "2", "--steps-per-epoch", "12", "--pool-size", "48",
                       "--pool-freshness", "2", "--workers", "2", "--no-refine"])
    assert code == 0
    pool = json.loads((out / "summary.json").read_text())["training"]["pool"]
    assert pool["size"] == 48 and pool["freshness"] == 2 and pool["augment"] == 1.0
    assert pool["served"] >= 96 and pool["rendered"] >= 48 + 24  # the second pass renewed half the pool
    assert 1 < pool["serves_per_sample"] <= 2


def test_quick_preset_yields_to_explicit_flags():
    quick = train.parse_args(["--quick", "--epochs", "1"])
    assert quick.epochs == 1 and quick.image_size == (96, 64) and quick.steps_per_epoch == 50


def test_missing_real_dataset_is_a_one_line_error(tmp_path, capsys):
    code = train.main([*TINY, "--out", str(tmp_path / "run"), "--real", str(tmp_path / "nowhere")])
    assert code == 2
    assert "nowhere: no such file or directory" in capsys.readouterr().err


def test_malformed_image_size_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--image-size", "192by128"])
    assert "'192by128'; expected WIDTHxHEIGHT, e.g. 192x128" in capsys.readouterr().err


@pytest.mark.parametrize(("flags", "message"), [
    (["--image-size", "100x70"], "the heatmap head on 3 blocks needs an input whose sides are multiples of 16; "
                                 "got 100x70"),
    (["--epochs", "0"], "epochs = 0, steps_per_epoch = 500, batch_size = 32, validation_count = 512; expected each"),
    (["--pool-freshness", "4", "--pool-size", "0"], "pool_freshness = 4 with pool_size = None; a renewing pool "
                                                     "needs freshness >= 1 and a pool size"),
    (["--pool-freshness", "4", "--use-multiprocessing"], "a renewing pool (pool_freshness) lives in the training "
                                                          "process and serves batches in order; use thread workers"),
    (["--pool-freshness", "4", "--pool-size", "100", "--workers", "4"], "pool_size = 100 with 4 thread workers "
                                                                        "fetching up to 10 batches of 32 ahead; a "
                                                                        "renewing pool needs at least 448 samples"),
    (["--real", "data/real", "--workers", "2"], "workers = 2 with real photos: threads would draw albumentations "
                                                "seeds in a race; pass --use-multiprocessing, or --workers 1"),
], ids=["size_the_pyramid_cannot_halve", "zero_epochs", "renewing_without_a_pool", "renewing_pool_in_processes",
         "renewing_pool_too_small",
        "real_photos_with_threads"])
def test_settings_that_do_not_fit_are_a_one_line_error_before_any_work(tmp_path, capsys, flags, message):
    assert train.main([*flags, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert f"Error: {message}" in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()


def test_corner_errors_in_the_summary_match_a_fresh_evaluation(tmp_path):
    from synthcert.keras import load_model, predict_corners, synthetic_set

    out = tmp_path / "run"
    assert train.main([*TINY, "--out", str(out), "--epochs", "1", "--steps-per-epoch", "1", "--no-refine"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    config = RenderConfig.from_dict(summary["render_config"])
    x, y = synthetic_set(8, seed=summary["training"]["synthetic_validation_seed"], config=config)
    pred = predict_corners(load_model(out / "best.keras"), x)
    expected = np.linalg.norm(pred - y.reshape(-1, 4, 2), axis=2).mean()
    assert summary["validation"]["synthetic"]["mean_px"] == pytest.approx(expected, rel=1e-4)


def test_tensorboard_log_is_written_when_asked(tmp_path):
    pytest.importorskip("tensorboard")
    out = tmp_path / "run"
    assert train.main([*TINY, "--out", str(out), "--epochs", "1", "--steps-per-epoch", "1", "--tensorboard",
                       "--no-refine"]) == 0
    assert any((out / "tensorboard").rglob("*.v2"))


def test_tensorboard_without_its_package_is_a_one_line_error_before_any_work(tmp_path, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "tensorboard" else real(name))
    assert train.main([*TINY, "--out", str(tmp_path / "run"), "--tensorboard"]) == 2
    assert "needs the tensorboard package; pip install tensorboard" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_template_flag_is_repeatable_and_reaches_the_options():
    options = train.parse_args(["--template", "a", "--template", "b", "--target", "vin", "--unlabelled", "u"])
    assert options.templates == ("a", "b") and options.target == "vin" and options.unlabelled == "u"


def test_train_time_scene_shows_upside_down_numbers_and_sheets_cut_by_the_frame():
    from synthcert import geometry
    from synthcert.keras.prepare import training_config
    from synthcert.training.options import TrainOptions

    o = TrainOptions(image_size=(96, 64), photometric="none")
    renderer = Renderer(config=training_config(o))
    upside_down, cut = [], []
    for i in range(40):
        t = renderer.trace(i, seed=0)
        tl, bl = t.sample.target.corners[0], t.sample.target.corners[3]
        upside_down.append(bl[1] < tl[1])  # the text's bottom is above its top on screen
        h, w = t.document.image.shape[:2]
        sheet = geometry.transform_points(t.image_from_pixels, geometry.rect_corners_xy((0, 0, w, h)))
        cut.append(bool(np.any(sheet < 0) or np.any(sheet > [96, 64])))
        assert t.sample.target.visible.all()  # the number itself always stays in the frame
    assert any(upside_down) and any(cut) and not all(cut)
    assert training_config(o.replace(config=RenderConfig())).scene.fill_range == RenderConfig().scene.fill_range


def test_train_time_documents_mix_fonts_and_black_out_fields_but_a_given_config_is_kept():
    from synthcert.keras.prepare import training_config
    from synthcert.training.options import TrainOptions

    o = TrainOptions(image_size=(96, 64), photometric="none")
    renderer = Renderer(config=training_config(o))
    spec_fields = {n for s in renderer.specs for n in s.fields}
    missing = [len(spec_fields & set(renderer.render(i, seed=0).fields)) for i in range(30)]
    plain = Renderer(config=RenderConfig().replace(scene={"image_size_wh": (96, 64)}))
    unredacted = [len(spec_fields & set(plain.render(i, seed=0).fields)) for i in range(30)]
    assert sum(missing) < sum(unredacted)  # redacted fields lose their labels, so fewer fields are labelled
    assert training_config(o.replace(config=RenderConfig())).document == RenderConfig().document


def test_trained_target_reaches_the_render_configuration_and_the_pools_labels():
    from synthcert.keras.prepare import training_config
    from synthcert.training.options import TrainOptions
    from synthcert.training.pool import SyntheticPool

    config = training_config(TrainOptions(image_size=(64, 48), photometric="none", target="vin"))
    assert config.labels.target == "vin"
    pool = SyntheticPool.render(3, seed=2, config=config)
    renderer = Renderer(config=config)
    for i in range(3):
        sample = renderer.render(i, seed=2)
        np.testing.assert_array_equal(pool.corners[i], sample.fields["vin"].corners)
        assert sample.fields["vin"].visible.all()
