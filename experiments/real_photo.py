"""From one photo of a real certificate to a detector tested on another photo: the whole experiment, one command.

    python experiments/real_photo.py ../shared/real/malaysia-voc --out runs/real-photo

FOLDER holds phone photos of one certificate type with COCO keypoint labels of the registration number
(`coco.json`, as `synthcert check` reads them). The experiment
  1. takes the first photo as the template photo and every other photo as the test set;
  2. makes a template from the template photo (`synthcert template init`): the corners and the other
     fields' boxes come from a fields file (the user's one manual step, docs/real-photos.md), the
     registration number's box from the photo's own label, mapped into the rectified frame;
  3. trains two detectors with the same settings and seed (synthcert.keras.train): one on synthetic renders
     of that template only, one mixed with the template photo itself (25 % of every batch, augmented);
  4. evaluates both on the test photos, which neither saw: corner error in photo pixels and in % of the
     photo's width, a picture of the predictions, and a markdown table, all in --out.

Nothing here is specific to one certificate type: the same defaults serve any folder of labelled photos.
The fields file is looked up as --fields, FOLDER/fields.yaml, then experiments/<FOLDER name>-fields.yaml.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from synthcert import geometry  # noqa: E402
from synthcert.datasets import read_dataset  # noqa: E402
from synthcert.errors import SynthcertError  # noqa: E402
from synthcert.evaluation import corner_errors  # noqa: E402
from synthcert.samples import CORNER_NAMES, TARGET  # noqa: E402
from synthcert.template.from_photo import FieldBox, PhotoLayout, init_template, load_layout  # noqa: E402
from synthcert.template.rectify import detect_document, rectify_document  # noqa: E402
from synthcert.template_show import show_template  # noqa: E402
from synthcert.training.letterbox import letterbox  # noqa: E402

RENDER_CONFIG = HERE / "real-photo-render.yaml"
TARGET_PAD = 0.25  # the target's box grows by this share of its height on every side, so that all its ink is erased
TARGET_ROOM = 0.5  # ... and by this share of its width on the right: room for longer numbers (left-aligned text)
COLOURS = {"label": (40, 200, 40), "synthetic only": (230, 40, 40), "mixed": (40, 90, 255)}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("folder", type=Path, help="photos with COCO keypoint labels of the registration number")
    p.add_argument("--out", type=Path, default=Path("runs/real-photo"), help="output directory")
    p.add_argument("--fields", type=Path, help="fields file (corners, width, country, boxes); see docs/real-photos.md")
    p.add_argument("--country", help="ISO 3166 alpha-2 code, if the fields file does not say")
    p.add_argument("--image-size", default="192x144", help="model input WxH (default 192x144, phone photos' 4:3)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--steps-per-epoch", type=int, default=100)
    p.add_argument("--max-minutes", type=float, default=20.0, help="per detector (2 CPU cores: about 2000 steps)")
    p.add_argument("--pool-size", type=int, default=10_000,
                   help="synthetic samples rendered once per detector (default 10000: 0.8 GB at 192x144)")
    p.add_argument("--real-fraction", type=float, default=0.25, help="share of each mixed batch from the photo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="smoke test: 2 short epochs per detector")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        results = run(args)
    except SynthcertError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    print((args.out / "results.md").read_text())
    return 0 if results else 1


def run(args: argparse.Namespace) -> dict:
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    samples = read_dataset(args.folder)
    if len(samples) < 2:
        raise SynthcertError(f"holds {len(samples)} labelled photo(s); the experiment needs one for the template "
                             "and at least one to test on", args.folder)
    template_photo, tests = samples[0], [samples[i] for i in range(1, len(samples))]
    layout = find_layout(args.folder, args.fields)
    template_dir = make_template(template_photo, layout, args.country, out / "template")
    show_template(template_dir, out / "template-show.png", count=3)
    real_dir = write_real_set(template_photo, out / "template-photo")

    from synthcert.keras import load_model, train  # TensorFlow only from here on
    from synthcert.training.options import TrainOptions

    w, h = (int(v) for v in args.image_size.lower().split("x"))
    base = TrainOptions(
        templates=(str(template_dir),), config=str(RENDER_CONFIG), image_size=(w, h), epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch, max_minutes=args.max_minutes, validation_count=256, seed=args.seed,
        real_val_fraction=0.0, real_fraction=args.real_fraction, pool_size=args.pool_size, verbose=2,
    )
    if args.quick:
        base = base.replace(epochs=2, steps_per_epoch=10, validation_count=32, max_minutes=3.0)
    runs = {"synthetic only": base.replace(out=str(out / "synthetic-only")),
            "mixed": base.replace(out=str(out / "mixed"), real=str(real_dir))}
    results = {}
    for name, options in runs.items():
        start = time.monotonic()
        summary = train(options)
        model = load_model(Path(options.out) / "best.keras")
        results[name] = {"training": summary["training"], "synthetic_validation": summary["validation"]["synthetic"],
                         "wall_time_s": time.monotonic() - start, "tests": evaluate(model, tests)}
    draw_predictions(tests, results, out / "prediction.png")
    write_report(args, template_photo, tests, results, out)
    return results


def find_layout(folder: Path, fields: Path | None) -> PhotoLayout | None:
    """The fields file: --fields, FOLDER/fields.yaml, then experiments/<FOLDER name>-fields.yaml; None if none."""
    for path in (fields, folder / "fields.yaml", HERE / f"{folder.resolve().name}-fields.yaml"):
        if path is not None and path.is_file():
            print(f"fields file: {path}")
            return load_layout(path)
    if fields is not None:
        raise SynthcertError("no such fields file", fields)
    print("no fields file: the document's corners are found automatically and only the registration number is "
          "re-printed")
    return None


def make_template(photo, layout: PhotoLayout | None, country: str | None, out_dir: Path) -> Path:
    """`template init` on the template photo, with the registration number's box taken from its label."""
    width = (layout and layout.width_px) or 1000
    corners = layout.corners_xy if layout is not None and layout.corners_xy is not None else None
    if corners is None:
        corners = detect_document(photo.image, photo.source)
    aspect = None if layout is None or layout.size_mm is None else layout.size_mm[1] / layout.size_mm[0]
    flat, flat_from_photo = rectify_document(photo.image, corners, width, aspect)
    box = target_box(geometry.transform_points(flat_from_photo, photo.target.corners), flat.shape[1::-1])
    fields = [FieldBox(TARGET, box, "plate"), *(f for f in (layout.fields if layout else ()) if f.name != TARGET)]
    return init_template(photo.source, out_dir, corners, fields, width_px=width,
                         country=country or (layout and layout.country), size_mm=layout and layout.size_mm,
                         name=(layout and layout.name) or f"{Path(photo.source).stem}-template")


def target_box(label_xy: np.ndarray, size_wh) -> tuple[float, float, float, float]:
    """The printed number's label in the flat frame, grown to hold all its ink and longer numbers."""
    (x0, y0), (x1, y1) = label_xy.min(axis=0), label_xy.max(axis=0)
    pad, room = TARGET_PAD * (y1 - y0), TARGET_ROOM * (x1 - x0)
    w, h = size_wh
    return max(x0 - pad, 0.0), max(y0 - pad, 0.0), min(x1 + pad + room, w), min(y1 + pad, h)


def write_real_set(photo, out_dir: Path) -> Path:
    """A one-photo COCO dataset pointing at the template photo (not copied), for the mixed stream."""
    out_dir.mkdir(parents=True, exist_ok=True)
    h, w = photo.image.shape[:2]
    keypoints = [v for x, y in photo.target.corners for v in (float(x), float(y), 2)]
    coco = {
        "images": [{"id": 1, "file_name": str(Path(photo.source).resolve()), "width": w, "height": h}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "keypoints": keypoints, "num_keypoints": 4,
                         "text": photo.target.text}],
        "categories": [{"id": 1, "name": TARGET, "keypoints": list(CORNER_NAMES)}],
    }
    (out_dir / "coco.json").write_text(json.dumps(coco, indent=1))
    return out_dir


def evaluate(model, tests) -> list[dict]:
    """Predicts each test photo (letterboxed to the model input) and measures the corners in photo pixels."""
    from synthcert.keras import input_size, predict_corners

    rows = []
    for s in tests:
        image, box = letterbox(s.image, input_size(model))
        pred_input = predict_corners(model, image[None].astype(np.float32) / 255.0)[0]
        pred = box.to_image(pred_input)
        err = corner_errors(pred, s.target.corners)[0]
        err_input = corner_errors(pred_input, box.to_input(s.target.corners))[0]
        rows.append({"photo": Path(s.source).name, "width_px": int(s.image.shape[1]),
                     "pred_xy": pred.tolist(), "true_xy": s.target.corners.tolist(),
                     "corner_error_px": err.tolist(), "mean_px": float(err.mean()), "max_px": float(err.max()),
                     "mean_pct_width": float(100 * err.mean() / s.image.shape[1]),
                     "mean_input_px": float(err_input.mean())})
    return rows


def draw_predictions(tests, results: dict, path: Path, width: int = 960) -> None:
    """One column per test photo: the whole photo, then a zoom on the number; label green, predictions coloured."""
    columns = []
    for k, s in enumerate(tests):
        quads = {"label": s.target.corners, **{n: np.array(r["tests"][k]["pred_xy"]) for n, r in results.items()}}
        scale = width / s.image.shape[1]
        whole = cv2.resize(s.image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        for name, quad in quads.items():
            _quad(whole, quad * scale, COLOURS[name], 2)
        every = np.concatenate(list(quads.values()))  # zoom on the label and every prediction
        (x0, y0), (x1, y1) = every.min(axis=0), every.max(axis=0)
        m = 0.3 * (s.target.corners[:, 0].max() - s.target.corners[:, 0].min())
        crop_box = (int(max(x0 - m, 0)), int(max(y0 - m / 2, 0)), int(min(x1 + m, s.image.shape[1])),
                    int(min(y1 + m / 2, s.image.shape[0])))
        zoom_scale = width / (crop_box[2] - crop_box[0])
        crop = s.image[crop_box[1]:crop_box[3], crop_box[0]:crop_box[2]]
        zoom = cv2.resize(crop, None, fx=zoom_scale, fy=zoom_scale, interpolation=cv2.INTER_CUBIC)
        for name, quad in quads.items():
            _quad(zoom, (quad - crop_box[:2]) * zoom_scale, COLOURS[name], 2)
        legend = np.full((34 * len(quads) + 10, width, 3), 255, np.uint8)
        for i, name in enumerate(quads):
            text = name if name == "label" else f"{name}: {results[name]['tests'][k]['mean_px']:.1f} px mean error"
            cv2.putText(legend, text, (10, 30 + 34 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.8, COLOURS[name], 2, cv2.LINE_AA)
        columns.append(np.vstack([whole, zoom, legend]))
    height = max(c.shape[0] for c in columns)
    sheet = np.hstack([np.pad(c, ((0, height - c.shape[0]), (0, 0), (0, 0)), constant_values=255) for c in columns])
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))


def _quad(image: np.ndarray, quad_xy: np.ndarray, colour, thickness: int) -> None:
    points = np.round((np.asarray(quad_xy) - 0.5) * 16).astype(np.int32)  # COCO -> OpenCV pixel centres
    cv2.polylines(image, [points], True, colour, thickness, cv2.LINE_AA, shift=4)
    cv2.circle(image, tuple(points[0]), 5 * 16, colour, thickness, cv2.LINE_AA, shift=4)  # TL: the reading order


def write_report(args, template_photo, tests, results: dict, out: Path) -> None:
    names = ", ".join(f"{Path(s.source).name} ({s.image.shape[1]}x{s.image.shape[0]})" for s in tests)
    lines = [
        "| detector | trained on | mean corner error on the unseen photo | % of photo width | worst corner "
        "| synthetic validation (input px) | training |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        t = r["tests"]
        mean_px, mean_input = np.mean([x["mean_px"] for x in t]), np.mean([x["mean_input_px"] for x in t])
        trained = ("renders of the template only" if name == "synthetic only" else
                   f"renders + the template photo ({args.real_fraction:.0%} of each batch, augmented)")
        lines.append(
            f"| {name} | {trained} | {mean_px:.1f} px ({mean_input:.2f} input px) "
            f"| {np.mean([x['mean_pct_width'] for x in t]):.2f} % "
            f"| {max(x['max_px'] for x in t):.1f} px | {r['synthetic_validation']['mean_px']:.2f} "
            f"| {r['training']['steps']} steps, {r['wall_time_s'] / 60:.1f} min |")
    report = "\n".join([
        f"# Real-photo experiment: {args.folder.resolve().name}",
        "",
        f"Template photo (and the one real photo of the mixed run): {Path(template_photo.source).name}. "
        f"Test photo(s), seen by neither detector: {names}.",
        f"Model input {args.image_size}; corner errors are measured in the test photo's pixels (the prediction "
        "mapped back through the letterbox) and as % of its width.",
        "",
        *lines,
        "",
        f"The real set is tiny: {len(tests) + 1} labelled photos, one for the template and {len(tests)} to test on. "
        "The numbers show the workflow end to end; they are not a statistically meaningful accuracy.",
        "",
        "![predictions](prediction.png)",
        "",
    ])
    (out / "results.md").write_text(report)
    (out / "results.json").write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                  "results": results}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
