"""From one photo of a real certificate to a detector tested on another photo: the whole experiment, one command.

    python experiments/real_photo.py ../shared/real/malaysia-voc --out runs/real-photo

FOLDER holds phone photos of one certificate type with COCO keypoint labels of the registration number
(`coco.json`, as `synthcert check` reads them). The experiment
  1. takes the first photo as the template photo and every other photo as the test set, then (--both-ways,
     the default) the second photo, and so on for --template-photos photos;
  2. makes a template from the template photo (`synthcert template init`): the corners and the other
     fields' boxes come from a fields file (the user's one manual step, docs/real-photos.md), the
     registration number's box from the photo's own label, mapped into the rectified frame;
     a direction whose detector directory in --out already holds a trained detector is, with --reuse,
     scored again with the current inference code and search defaults instead of trained again;
  3. trains a detector on synthetic renders of that template only (synthcert.keras.train), then adapts a
     copy of it to the test photos without their labels (--unlabelled); with --mixed, also one with the same
     settings and seed mixed with the template photo itself (25 % of every batch, augmented);
  4. evaluates each on the test photos, which no training saw with a label: the metrics of
     synthcert.evaluation (hit rate, % of text height, % of width, px), a picture of the predictions, and a
     markdown table, all in --out.

Nothing here is specific to one certificate type: the same defaults serve any folder of labelled photos.
A template photo's fields file is its own, FOLDER/<photo stem>-fields.yaml or
experiments/<FOLDER name>-<photo stem>-fields.yaml; else, for the first photo only, --fields,
FOLDER/fields.yaml, then experiments/<FOLDER name>-fields.yaml; else only the number is re-printed.
"""

from __future__ import annotations

import argparse
import dataclasses
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
from synthcert.samples import CORNER_NAMES, TARGET  # noqa: E402
from synthcert.template.from_photo import FieldBox, PhotoLayout, init_template, load_layout  # noqa: E402
from synthcert.template.rectify import detect_document, rectify_document  # noqa: E402
from synthcert.template_show import show_template  # noqa: E402

TARGET_PAD = 0.25  # the target's box grows by this share of its height on every side, so that all its ink is erased
TARGET_ROOM = 0.5  # ... and by this share of its width on the right: room for longer numbers (left-aligned text)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("folder", type=Path, help="photos with COCO keypoint labels of the registration number")
    p.add_argument("--out", type=Path, default=Path("runs/real-photo"), help="output directory")
    p.add_argument("--fields", type=Path, help="fields file (corners, width, country, boxes); see docs/real-photos.md")
    p.add_argument("--country", help="ISO 3166 alpha-2 code, if the fields file does not say")
    p.add_argument("--image-size", default="192x144", help="model input WxH (default 192x144, phone photos' 4:3)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--steps-per-epoch", type=int, default=100)
    p.add_argument("--max-minutes", type=float, default=None,
                   help="wall-time cap per detector (default none: each stage trains its --epochs x "
                        "--steps-per-epoch, 3000 steps, whatever the machine's speed; about 50 minutes per detector "
                        "on a 2-core VM at 0.8 s a stage-1 step). A cap that ends stage 1 before 2000 steps is "
                        "warned of: 700 steps missed a photo that 2400 found")
    p.add_argument("--pool-size", type=int, default=10_000,
                   help="synthetic samples rendered once per detector (default 10000: 0.8 GB at 192x144)")
    p.add_argument("--real-fraction", type=float, default=0.25, help="share of each mixed batch from the photo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--refine-count", type=int, default=800, help="phone-resolution renders for the refiner")
    p.add_argument("--both-ways", action=argparse.BooleanOptionalAction, default=True,
                   help="each of the first --template-photos photos once as the template photo (default), or "
                        "only the first")
    p.add_argument("--template-photos", type=int, default=2,
                   help="with --both-ways, how many photos take a turn as the template photo (default 2: a "
                        "detector each)")
    p.add_argument("--mixed", action="store_true", help="also train a detector mixed with the template photo")
    p.add_argument("--only", metavar="PHOTO", action="append",
                   help="take only this photo (file name) as the template photo; repeatable")
    p.add_argument("--reuse", action="store_true",
                   help="score detectors already trained in --out again (current inference code and search "
                        "defaults) instead of training them again")
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
    names = [Path(s.source).name for s in samples]
    missing = sorted(set(args.only or ()) - set(names))
    if missing:
        raise SynthcertError(f"has no photo {', '.join(missing)} for --only (it has {', '.join(names)})", args.folder)
    shared = find_layout(args.folder, args.fields)
    from synthcert.keras import adapt_detector, load_detector, train  # TensorFlow from here on
    from synthcert.training.options import TrainOptions
    from synthcert.training.refine import Search

    w, h = (int(v) for v in args.image_size.lower().split("x"))
    base = TrainOptions(
        image_size=(w, h), epochs=args.epochs, steps_per_epoch=args.steps_per_epoch, max_minutes=args.max_minutes,
        validation_count=256, seed=args.seed, real_val_fraction=0.0, real_fraction=args.real_fraction,
        pool_size=args.pool_size, refine_count=args.refine_count, verbose=2,
    )
    if args.quick:
        base = base.replace(epochs=2, steps_per_epoch=10, validation_count=32, max_minutes=3.0, pool_size=200,
                            refine_count=32, refine_photo_size=(320, 240))
    directions = range(min(len(samples), max(args.template_photos, 1))) if args.both_ways else range(1)
    if args.only:
        directions = [names.index(n) for n in args.only]
    results = {}
    for k in directions:  # each photo once as the template photo, the others as the test set
        template_photo = samples[k]
        tests = [samples[i] for i in range(len(samples)) if i != k]
        name = Path(template_photo.source).stem
        where = out / f"template-{name}"
        # The folder's fields file describes the first photo; the certificate type's country holds for every photo.
        layout = photo_layout(args.folder, name) or (shared if k == 0 else None)
        country = args.country or (layout and layout.country) or (shared and shared.country)
        reused = args.reuse and (where / "synthetic-only" / "detector.json").is_file()
        template_dir = where / "template"
        if not reused:
            template_dir = make_template(template_photo, layout, country, template_dir)
            show_template(template_dir, where / "template-show.png", count=3)
        runs = {"synthetic only": base.replace(out=str(where / "synthetic-only"), templates=(str(template_dir),))}
        if args.mixed:
            runs["mixed"] = runs["synthetic only"].replace(out=str(where / "mixed"),
                                                           real=str(write_real_set(template_photo, where / "real")))
        rows = {}
        for run_name, options in runs.items():
            start = time.monotonic()
            if reused and Path(options.out, "summary.json").is_file():
                print(f"{options.out}: reusing the trained detector")
                summary = json.loads(Path(options.out, "summary.json").read_text())
            else:
                summary = train(options)
            detector = load_detector(options.out)
            if reused:  # the search a detector file records is the defaults of its day: score with today's
                detector = dataclasses.replace(detector, search=Search())
            rows[f"{run_name}, coarse"] = evaluate(detector, tests, refine=False)
            rows[run_name] = evaluate(detector, tests)
            for key in (f"{run_name}, coarse", run_name):
                rows[key]["synthetic"] = summary["refine"]["phone_test"] if summary["refine"] else None
            rows[run_name]["wall_time_s"] = time.monotonic() - start
            if run_name == "synthetic only":  # the test photos, without their labels, adapt the same detector
                adapt_detector(detector, [s.image for s in tests], args.seed)
                rows["synthetic only + unlabelled"] = evaluate(detector, tests)
        results[name] = {"template_photo": Path(template_photo.source).name, "rows": rows}
        draw_predictions(tests, rows, where / "prediction.png")
    write_report(args, results, out)
    return results


def evaluate(detector, tests, refine: bool = True) -> dict:
    """Both stages (or stage 1) on the test photos, in the photos' own pixels (synthcert.evaluation)."""
    from synthcert.keras import evaluate_detector

    metrics, locations = evaluate_detector(detector, tests, refine)
    return {"metrics": metrics, "photos": [
        {"photo": Path(s.source).name, "width_px": int(s.image.shape[1]),
         "pred_xy": (c.coarse_xy if c.corners_xy is None else c.corners_xy).tolist(),
         "true_xy": s.target.corners.tolist(), "confidence": c.confidence, "problem": c.problem}
        for s, c in zip(tests, locations, strict=True)]}


def photo_layout(folder: Path, stem: str) -> PhotoLayout | None:
    """A template photo's own fields file: FOLDER/<stem>-fields.yaml, then
    experiments/<FOLDER name>-<stem>-fields.yaml; None if neither exists."""
    for path in (folder / f"{stem}-fields.yaml", HERE / f"{folder.resolve().name}-{stem}-fields.yaml"):
        if path.is_file():
            print(f"fields file of {stem}: {path}")
            return load_layout(path)
    return None


def find_layout(folder: Path, fields: Path | None) -> PhotoLayout | None:
    """The fields file: --fields, FOLDER/fields.yaml, then experiments/<FOLDER name>-fields.yaml; None if none."""
    for path in (fields, folder / "fields.yaml", HERE / f"{folder.resolve().name}-fields.yaml"):
        if path is not None and path.is_file():
            print(f"fields file: {path}")
            return load_layout(path)
    if fields is not None:
        raise SynthcertError("no such fields file", fields)
    print("no folder-wide fields file: without their own, the photos' corners are found automatically and only the "
          "registration number is re-printed")
    return None


def make_template(photo, layout: PhotoLayout | None, country: str | None, out_dir: Path) -> Path:
    """`template init` on the template photo, with the registration number's box taken from its label."""
    width = (layout and layout.width_px) or 1000
    corners = layout.corners_xy if layout is not None and layout.corners_xy is not None else None
    if corners is None:
        try:
            corners = detect_document(photo.image, photo.source)
        except SynthcertError as e:  # a close-up: the sheet runs past the frame, so the frame stands for it
            print(f"{e}\nusing the photo's frame as the document's corners")
            h, w = photo.image.shape[:2]
            corners = geometry.rect_corners_xy((0, 0, w, h))
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


def draw_predictions(tests, rows: dict, path: Path, width: int = 960) -> None:
    """One column per test photo: the whole photo, then a zoom on the number; label green, each detector coloured."""
    from synthcert.training.drawing import zoom_sheet

    columns = []
    for k, s in enumerate(tests):
        quads = {"label": s.target.corners, **{n: np.array(r["photos"][k]["pred_xy"]) for n, r in rows.items()}}
        columns.append(zoom_sheet(s.image, quads, width))
    height = max(c.shape[0] for c in columns)
    sheet = np.hstack([np.pad(c, ((0, height - c.shape[0]), (0, 0), (0, 0)), constant_values=255) for c in columns])
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))


def write_report(args, results: dict, out: Path) -> None:
    lines = ["| template photo | detector | hit rate | mean corner error, % of text height | % of photo width | px "
             "| confidence | synthetic (phone renders): hit rate, % of text height |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results.values():
        for name, row in r["rows"].items():
            m, syn = row["metrics"], row.get("synthetic")
            conf = [p["confidence"] for p in row["photos"] if p["confidence"] is not None]
            stage = syn and syn["coarse" if "coarse" in name else "refined"]
            syn_text = f"{stage['hit_rate']:.0%}, {stage['mean_pct_text_height']:.1f} %" if stage else ""
            lines.append(f"| {r['template_photo']} | {name} | {m['hits']}/{m['count']} "
                         f"| {m['mean_pct_text_height']:.1f} % | {m['mean_pct_width']:.2f} % | {m['mean_px']:.1f} | "
                         f"{', '.join(f'{c:.2f}' for c in conf)} | {syn_text} |")
    report = "\n".join([
        f"# Real-photo experiment: {args.folder.resolve().name}", "",
        "Each photo once as the template photo, the others as the test set (seen by no detector's training; "
        "'+ unlabelled' re-estimates BatchNorm statistics on them without labels). Errors in the test photos' own "
        "pixels (synthcert.evaluation); a hit has every corner within 25 % of the text height.", "",
        *lines, "",
        "Two labelled photos of one certificate type: the workflow end to end, not a statistically meaningful "
        "accuracy.", ""])
    (out / "results.md").write_text(report)
    (out / "results.json").write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                  "results": results}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
