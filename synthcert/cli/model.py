"""`synthcert eval` and `synthcert predict`: thin shells over the trained corner regressor.

Shell stage: parse arguments, call `synthcert.keras`, print. Keras is imported inside each command,
never at module import, so the rest of the CLI stays free of TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import cv2
import numpy as np

from synthcert.errors import DatasetError
from synthcert.samples import CORNER_NAMES


def _read_rgb(path: Path) -> np.ndarray:
    if not path.is_file():
        raise DatasetError("no such image file; check the path", path)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise DatasetError("cannot read or decode the image; give a JPEG or PNG file", path)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _write_rgb(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        raise DatasetError("cannot write the image; check the directory and the extension", path)


@click.command("eval", short_help="Measure a model's corner errors on a labelled dataset.")
@click.argument("model", type=click.Path(path_type=Path))
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--draw", type=click.Path(path_type=Path), help="Write a PNG grid of predictions (red) over labels "
              "(green).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the metrics as JSON.")
def evaluate(model, dataset, draw, json_path):
    """Report the corner errors of MODEL (a .keras file from train.py) on DATASET (COCO keypoints, YOLO-OBB
    or manifest.jsonl), as train.py reports them: in pixels of the model input, each photo letterboxed into
    it, and in % of the input width.

    \b
    Example:
      synthcert eval runs/default/best.keras data/real --draw real.png
    """
    from synthcert.datasets import read_dataset
    from synthcert.keras import evaluate_samples, input_size, load_model
    from synthcert.training.drawing import prediction_grid

    net = load_model(model)
    metrics, real, pred = evaluate_samples(net, read_dataset(dataset))
    w, h = input_size(net)
    click.echo(f"{metrics['count']} photos, errors in pixels of the {w}x{h} model input: corner error mean "
               f"{metrics['mean_px']:.2f} px ({metrics['mean_pct_width']:.2f} % of width), median "
               f"{metrics['median_px']:.2f} px, 90th percentile {metrics['p90_px']:.2f} px, max "
               f"{metrics['max_px']:.2f} px; coordinate MAE {metrics['coordinate_mae_px']:.2f} px")
    if json_path:
        json_path.write_text(json.dumps(metrics, indent=2) + "\n")
    if draw:
        _write_rgb(draw, prediction_grid(real.images, pred, real.corners))


@click.command(short_help="Find the registration number's corners in photos.")
@click.argument("model", type=click.Path(path_type=Path))
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--draw", type=click.Path(path_type=Path, file_okay=False),
              help="Directory for copies of the photos with the predicted box drawn.")
@click.option("--crop", type=click.Path(path_type=Path, file_okay=False),
              help="Directory for rectified crops of the number (the input an OCR step wants).")
@click.option("--crop-height", type=click.IntRange(8, 1024), default=48, show_default=True,
              help="Height of each crop in pixels.")
def predict(model, images, draw, crop, crop_height):
    """Print the four corners TL, TR, BR, BL of the number in each of IMAGES, as one JSON line per photo,
    in that photo's pixels (COCO: the image spans [0, W] x [0, H]). With a heatmap model, `spread_px`
    says per corner how widely its heatmap spread (photo pixels): near 0 for a confident answer, large when
    the model hesitated between places and its answer lies between them.

    \b
    Example:
      synthcert predict runs/default/best.keras photo.jpg --crop crops/
    """
    from synthcert.keras import load_model, locate_photo
    from synthcert.training.drawing import draw_corners, rectify

    net = load_model(model)
    for path in images:
        image = _read_rgb(path)
        corners, spread = locate_photo(net, image)
        record = {"image": str(path), **{name: [round(float(v), 2) for v in xy]
                                         for name, xy in zip(CORNER_NAMES, corners, strict=True)}}
        if spread is not None:
            record["spread_px"] = [round(float(v), 2) for v in spread]
        click.echo(json.dumps(record))
        if draw:
            _write_rgb(draw / f"{path.stem}.png", draw_corners(image, corners))
        if crop:
            _write_rgb(crop / f"{path.stem}.png", rectify(image, corners, crop_height))
