"""Adapting to unlabelled photos: which answers become pseudo-labels, and fine-tuning on them in a training run."""

import cv2
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from synthcert import RenderConfig, Renderer  # noqa: E402
from synthcert.datasets.layout import load_image  # noqa: E402
from synthcert.keras import Detector, Location, load_model  # noqa: E402
from synthcert.keras import fit as fit_module  # noqa: E402
from synthcert.keras.adapt import pseudo_label  # noqa: E402
from synthcert.keras.fit import train  # noqa: E402
from synthcert.training.options import TrainOptions  # noqa: E402

QUAD = np.array([[10, 20], [50, 20], [50, 30], [10, 30]], np.float64)


class ScriptedDetector:
    """Answers photo k (a grey image of value k) with QUAD shifted by k, and the scripted confidence and problem."""

    def __init__(self, answers):
        self.answers = answers

    def locate(self, image, refine=True):
        k = int(image[0, 0, 0])
        confidence, problem = self.answers[k]
        return Location(QUAD + k, QUAD, None, confidence, refine and problem is None, problem)


def test_only_confident_problem_free_answers_become_pseudo_labels_with_the_detectors_corners():
    answers = [(0.95, None), (0.79, None), (0.8, None), (0.99, "the refined quad crosses; the coarse one is given"),
               (None, None), (1.0, None)]
    photos = [np.full((8, 8, 3), k, np.uint8) for k in range(len(answers))]
    labels = pseudo_label(ScriptedDetector(answers), photos, threshold=0.8)
    assert labels.kept == (0, 2, 5)  # not below the threshold, not with a problem, not uncalibrated
    np.testing.assert_array_equal(labels.corners, np.stack([QUAD + k for k in (0, 2, 5)]))
    assert labels.confidences == tuple(a[0] for a in answers)
    assert labels.to_dict()["kept"] == 3 and labels.to_dict()["problems"] == 1
    assert pseudo_label(ScriptedDetector(answers), photos, threshold=1.01).kept == ()


def oracle_for(photo_paths, corners, monkeypatch):
    """Makes every Detector answer the unlabelled photos (recognised by their pixels) with their true corners and
    a confidence of 0.5: a tiny model trained for a few steps answers no plausible quad at all."""
    answers = {load_image(p).tobytes(): c for p, c in zip(photo_paths, corners, strict=True)}
    real_locate = Detector.locate

    def locate(self, image, refine=True):
        true = answers.get(image.tobytes())
        if true is None:
            return real_locate(self, image, refine)
        return Location(true, true, None, 0.5, refine)

    monkeypatch.setattr(Detector, "locate", locate)


@pytest.mark.parametrize("threshold", [0.0, 1.01])
def test_stage_one_is_fine_tuned_on_pseudo_labels_iff_a_photo_is_kept(tmp_path, monkeypatch, threshold):
    renderer = Renderer(config=RenderConfig().replace(scene={"image_size_wh": (96, 72)}))
    samples = [renderer.render(i, seed=11) for i in range(3)]
    (tmp_path / "unlabelled").mkdir()
    paths = [tmp_path / "unlabelled" / f"u{i}.jpg" for i in range(len(samples))]
    for path, s in zip(paths, samples, strict=True):
        cv2.imwrite(str(path), cv2.cvtColor(s.image, cv2.COLOR_RGB2BGR))
    oracle_for(paths, [s.fields["registration_number"].corners for s in samples], monkeypatch)
    trained = {}

    def fit_coarse(run):  # records stage 1's weights before any adaptation
        model, history, timer = real_fit_coarse(run)
        trained["weights"] = [w.numpy().copy() for w in model.trainable_weights]
        return model, history, timer

    real_fit_coarse = fit_module.fit_coarse
    monkeypatch.setattr(fit_module, "fit_coarse", fit_coarse)
    options = TrainOptions().quick().replace(
        out=str(tmp_path / "run"), image_size=(64, 48), channels=(4, 8), batch_size=4, validation_count=8,
        pool_size=8, pool_workers=1, verbose=0, refine_count=4, refine_photo_size=(160, 120), refine_channels=(4, 8),
        epochs=1, steps_per_epoch=1, unlabelled=str(tmp_path / "unlabelled"), pseudo_label_confidence=threshold,
        pseudo_label_steps=3, pseudo_label_rounds=2)
    record = train(options)["adaptation"]
    pseudo = record["pseudo_labels"]
    kept = [r["kept"] for r in pseudo["rounds"]]
    assert record["photos"] == 3 and pseudo["threshold"] == threshold
    assert all(len(r["confidences"]) == 3 for r in pseudo["rounds"])
    assert pseudo["steps"] == sum(r["steps"] for r in pseudo["rounds"]) == 3 * sum(k > 0 for k in kept)
    final = [w.numpy() for w in load_model(tmp_path / "run" / "best.keras").trainable_weights]
    changed = any(not np.array_equal(a, b) for a, b in zip(trained["weights"], final, strict=True))
    if threshold == 0.0:
        assert kept == [3, 3] and pseudo["steps"] == 6 and changed
    else:
        assert kept == [0] and pseudo["steps"] == 0 and not changed
        assert pseudo["note"] == "0 of 3 photos above confidence 1.01: nothing fine-tuned"


def test_pseudo_label_flags_reach_the_options_and_a_negative_confidence_is_a_one_line_error(capsys):
    import train as train_script

    o = train_script.parse_args(["--unlabelled", "u", "--pseudo-label-confidence", "0.9", "--pseudo-label-steps", "5",
                                 "--pseudo-label-rounds", "1"])
    assert (o.unlabelled, o.pseudo_label_confidence, o.pseudo_label_steps, o.pseudo_label_rounds) == ("u", 0.9, 5, 1)
    assert train_script.main(["--pseudo-label-confidence", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: pseudo_label_confidence = -1.0") and err.count("\n") == 1
