"""`synthcert eval` and `synthcert predict`: thin shells over the trained two-stage detector.

Shell stage: parse arguments, call `synthcert.keras`, print. Keras is imported inside each command,
never at module import, so the rest of the CLI stays free of TensorFlow. Photos are read as stored, without
EXIF rotation, like the dataset readers: every corner any command reads or prints refers to the stored
pixels (docs/training.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import cv2
import numpy as np

from synthcert.errors import DatasetError
from synthcert.samples import CORNER_NAMES

DRAWN_SYNTHETIC = 32  # pictures drawn of a synthetic dataset, which may hold thousands of photos


def _read_rgb(path: Path) -> np.ndarray:
    from synthcert.datasets.layout import load_image

    if not path.is_file():
        raise DatasetError("no such image file; check the path", path)
    try:
        return load_image(path)
    except DatasetError:
        raise DatasetError("cannot read or decode the image; give a JPEG or PNG file", path) from None


def _write_rgb(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        raise DatasetError("cannot write the image; check the directory and the extension", path)


def _summary_line(m: dict) -> str:
    return (f"hit rate {m['hits']}/{m['count']} ({m['hit_rate']:.0%}); corner error mean "
            f"{m['mean_pct_text_height']:.1f} % of the text height (median {m['median_pct_text_height']:.1f} %, "
            f"max {m['max_pct_text_height']:.1f} %), {m['mean_pct_width']:.2f} % of the width, {m['mean_px']:.1f} px")


@click.command("eval", short_help="Measure a detector's corner errors on labelled photos.")
@click.argument("model", type=click.Path(path_type=Path))
@click.argument("dataset", type=click.Path(path_type=Path), required=False)
@click.option("--real", "real_dir", type=click.Path(path_type=Path),
              help="Labelled real photos (instead of DATASET): report every photo.")
@click.option("--coarse-only", is_flag=True, help="Stop after stage 1.")
@click.option("--draw", type=click.Path(path_type=Path, file_okay=False),
              help=f"Directory for one picture per photo: label (green) and prediction, whole and zoomed on the "
                   f"field (the first {DRAWN_SYNTHETIC} of a synthetic dataset).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the metrics as JSON.")
def evaluate(model, dataset, real_dir, coarse_only, draw, json_path):
    """Report the corner errors of MODEL (a detector directory or a .keras file from train.py) on labelled
    photos (COCO keypoints, YOLO-OBB or manifest.jsonl) in their own pixels: in % of the field's text height,
    in % of the photo's width and in pixels, and the hit rate (every corner within 25 % of the text height;
    docs/training.md). Real photos (--real, or a DATASET synthcert did not write) are reported one by one.

    \b
    Example:
      synthcert eval runs/default --real data/real --draw drawn/
    """
    from synthcert.datasets import read_dataset
    from synthcert.evaluation import photo_errors
    from synthcert.keras import evaluate_detector, load_detector
    from synthcert.training.batches import target_corners
    from synthcert.training.drawing import zoom_sheet

    if (dataset is None) == (real_dir is None):
        raise click.UsageError("give DATASET or --real DIR, one of them")
    path = real_dir or dataset
    real = real_dir is not None or not (path / "dataset.yaml").is_file()
    detector = load_detector(model)
    samples = read_dataset(path)
    metrics, locations = evaluate_detector(detector, samples, refine=not coarse_only)
    per_photo = []
    for i, (s, where) in enumerate(zip(samples, locations, strict=True)):
        if not real and i >= DRAWN_SYNTHETIC and not json_path:
            break
        image, true = s.image, target_corners(s, detector.target)  # a dataset decodes s.image at each access
        pred = where.coarse_xy if where.corners_xy is None else where.corners_xy
        e = photo_errors(pred, true, image.shape[1])
        row = {"photo": Path(s.source).name, "hit": bool(e["hit"][0]),
               "mean_pct_text_height": float(e["pct_text_height"].mean()),
               "mean_pct_width": float(e["pct_width"].mean()), "mean_px": float(e["error_px"].mean()),
               "confidence": where.confidence, "problem": where.problem}
        per_photo.append(row)
        if real:
            confidence = "" if where.confidence is None else f", confidence {where.confidence:.2f}"
            problem = "" if where.problem is None else f" ({where.problem})"
            click.echo(f"{row['photo']}: {'hit' if row['hit'] else 'miss'}; corner error mean "
                       f"{row['mean_pct_text_height']:.1f} % of the text height, {row['mean_pct_width']:.2f} % of "
                       f"the width, {row['mean_px']:.1f} px{confidence}{problem}")
        if draw and (real or i < DRAWN_SYNTHETIC):
            _write_rgb(draw / f"{Path(s.source).stem}.png", zoom_sheet(image, {"label": true, "prediction": pred}))
    stages = "stage 1 only" if coarse_only or detector.refiner is None else "both stages"
    click.echo(f"{metrics['count']} {'real' if real else 'synthetic'} photos, {stages}: {_summary_line(metrics)}")
    if json_path:
        json_path.write_text(json.dumps({"overall": metrics, "photos": per_photo}, indent=2) + "\n")


@click.command(short_help="Find the field's corners in photos.")
@click.argument("model", type=click.Path(path_type=Path))
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--coarse-only", is_flag=True, help="Stop after stage 1.")
@click.option("--draw", type=click.Path(path_type=Path, file_okay=False),
              help="Directory for copies of the photos with the predicted box drawn.")
@click.option("--crop", type=click.Path(path_type=Path, file_okay=False),
              help="Directory for rectified crops of the field (the input an OCR step wants).")
@click.option("--crop-height", type=click.IntRange(8, 1024), default=48, show_default=True,
              help="Height of each crop in pixels.")
def predict(model, images, coarse_only, draw, crop, crop_height):
    """Print the four corners TL, TR, BR, BL of the field in each of IMAGES, as one JSON line per photo, in
    that photo's stored pixels (COCO: the image spans [0, W] x [0, H]; EXIF rotation is not applied).
    MODEL is a detector directory or a .keras file from train.py.

    `confidence` is the calibrated probability that every corner is within a quarter of the text height
    (absent for an uncalibrated model). `spread_px` says per corner how widely its heatmap spread (photo
    pixels). When the corners would cross, the answer is `null` and `problem` says why: the model split
    them between places.

    \b
    Example:
      synthcert predict runs/default photo.jpg --crop crops/
    """
    from synthcert.keras import load_detector
    from synthcert.training.drawing import draw_corners, rectify

    detector = load_detector(model)
    for path in images:
        image = _read_rgb(path)
        where = detector.locate(image, refine=not coarse_only)
        corners = where.corners_xy
        record = {"image": str(path), "field": detector.target,
                  **{name: None if corners is None else [round(float(v), 2) for v in corners[k]]
                     for k, name in enumerate(CORNER_NAMES)},
                  "refined": where.refined}
        if where.confidence is not None:
            record["confidence"] = round(where.confidence, 3)
        if where.spread_px is not None:
            record["spread_px"] = [round(float(v), 2) for v in where.spread_px]
        if where.problem is not None:
            record["problem"] = where.problem
        click.echo(json.dumps(record))
        if corners is None:
            continue
        if draw:
            _write_rgb(draw / f"{path.stem}.png", draw_corners(image, corners))
        if crop:
            _write_rgb(crop / f"{path.stem}.png", rectify(image, corners, crop_height))
