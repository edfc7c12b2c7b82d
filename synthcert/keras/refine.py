"""Training the second stage: the refiner on field neighbourhoods of phone-resolution renders.

Called by `synthcert.keras.fit.train` after stage 1: the coarse model's errors on its synthetic validation
set become the coarse quads' distribution (`CoarseErrors`), renders at `refine_photo_size` give the
neighbourhoods, and the refiner trains on canvases cut with drawn coarse quads. Its validation canvases
then calibrate the confidence, and a set of whole phone-resolution renders measures both stages.
"""

from __future__ import annotations

import time

import numpy as np

from synthcert.evaluation import photo_errors, summarize
from synthcert.keras.adapt import precise_batchnorm
from synthcert.keras.callbacks import TimeLimit, callbacks_for, say
from synthcert.keras.detector import Detector, evaluate_detector, refine_canvases
from synthcert.keras.model import build_regressor, compile_regressor, load_model, predict_corners
from synthcert.keras.prepare import Prepared
from synthcert.keras.streams import RefineStream
from synthcert.pipeline import Renderer
from synthcert.rng import stream_rng
from synthcert.training.batches import target_corners, to_arrays
from synthcert.training.calibration import fit_calibration
from synthcert.training.refine import (
    Canvas,
    CoarseErrors,
    Neighbourhoods,
    refine_batch,
    render_neighbourhoods,
)

PHONE_TEST_COUNT = 48  # whole phone-resolution renders measured with both stages


def train_refiner(run: Prepared, detector: Detector, canvas: Canvas | None = None) -> dict:
    """Trains the refiner, sets `detector.refiner` and `detector.calibration`, and returns its summary."""
    o = run.options
    canvas = canvas or Canvas()
    x, y = run.sets["val"]
    coarse_pred = predict_corners(detector.coarse, x)
    errors = CoarseErrors.from_stage_one(coarse_pred, y)
    config = run.config.replace(scene={"image_size_wh": tuple(o.refine_photo_size)})
    renderer = Renderer(o.templates, config)
    val_count = max(16, o.validation_count // 4)
    say(o, f"stage 2: rendering {o.refine_count} + {val_count} photos at {o.refine_photo_size[0]}x"
           f"{o.refine_photo_size[1]} for the neighbourhoods")
    train_set = render_neighbourhoods(renderer, o.seed, o.refine_count, canvas)
    real = run.real_samples.get("train_real", [])
    if real:  # the labelled photos' own neighbourhoods, repeated to make `real_fraction` of the set
        hoods = Neighbourhoods.from_photos([s.image for s in real], [target_corners(s, o.target) for s in real],
                                           canvas)
        copies = max(1, round(o.real_fraction * len(train_set) / ((1 - o.real_fraction) * len(hoods))))
        train_set = Neighbourhoods(train_set.images + hoods.images * copies,
                                   np.concatenate([train_set.corners, *[hoods.corners] * copies]))
    val_set = render_neighbourhoods(renderer, run.val_seed, val_count, canvas)
    val_canvases, val_corners = refine_batch(val_set, range(len(val_set)), errors, canvas,
                                             stream_rng(run.val_seed, 0, "refine"))
    val = to_arrays(val_canvases, val_corners)
    stream = RefineStream(train_set, errors, canvas, o.batch_size, o.seed)
    model = build_regressor(canvas.size_wh, o.refine_channels, head="heatmap", input_mode=o.input_mode)
    model = compile_regressor(model, o.learning_rate)
    best = run.out / "refine.keras"
    timer = TimeLimit(o.max_minutes if o.max_minutes is not None else float("inf"), run.start)
    history = model.fit(stream, steps_per_epoch=o.steps_per_epoch, epochs=o.epochs, validation_data=val,
                        callbacks=callbacks_for(o, best, "val_corner_px", run.out / "refine_log.csv", timer),
                        shuffle=False, verbose=o.verbose)
    detector.refiner = load_model(best)
    precise_batchnorm(detector.refiner, stream)
    detector.canvas = canvas

    corners, spread = refine_canvases(detector.refiner, np.stack(val_canvases))
    canvas_metrics = summarize(corners, val[1], image_width_px=canvas.size_wh[0])
    hits = photo_errors(corners, val[1], canvas.size_wh[0])["hit"]
    detector.calibration = fit_calibration(spread / canvas.text_height, hits)
    say(o, "stage 2: measuring both stages on whole phone-resolution renders")
    test_seed = o.seed + 2 * o.validation_seed_offset
    photos = [renderer.render(i, test_seed) for i in range(PHONE_TEST_COUNT)]
    coarse, _ = evaluate_detector(detector, photos, refine=False)
    refined, locations = evaluate_detector(detector, photos)
    confidence = np.array([np.nan if c.confidence is None else c.confidence for c in locations])
    epochs_run = len(history.history.get("loss", []))
    return {
        "canvas": canvas.to_dict(),
        "parameters": int(detector.refiner.count_params()),
        "real_neighbourhoods": len(real),
        "coarse_errors": {"residuals": len(errors.residuals), "stage_one_errors": len(y),
                          "scale_range": list(errors.scale_range), "noise": errors.noise, "miss_p": errors.miss_p,
                          "miss_range": list(errors.miss_range), "reach": list(errors.reach)},
        "validation_canvas": canvas_metrics,
        "calibration": detector.calibration.to_dict(),
        "phone_test": {"size_wh": list(o.refine_photo_size), "seed": test_seed, "coarse": coarse, "refined": refined,
                       "mean_confidence": float(np.nanmean(confidence)) if len(confidence) else None},
        "training": {"epochs": epochs_run, "steps": epochs_run * o.steps_per_epoch,
                     "stopped_by_time_limit": timer.stopped_epoch is not None,
                     "wall_time_s": time.monotonic() - run.start},
    }
