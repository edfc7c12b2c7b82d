"""Coarse vs refined on renders at phone resolution: what the second stage and its search add, in % of the text height.

    python experiments/phone_resolution.py runs/default --sizes 1600x1200,4000x3000 --count 24
    python experiments/phone_resolution.py runs/real-photo/template-voc-1/synthetic-only \\
        --template runs/real-photo/template-voc-1/template

Renders `--count` photos per size (seed `--seed`, never a training seed of train.py's defaults) with the
render defaults (`--train-scene` for train.py's wider ranges), runs the detector with stage 1 only, with one
refinement of the coarse quad (no search) and with both stages as `predict` runs them (the detector's
`Search`: the neighbouring lines too, each refined twice), then the same with the answer made the nearest
parallelogram (`Search.parallelogram`), with stage 1 also on zoomed views (`Search.zooms`) and also on the photo
turned by quarter turns (`Search.turns`), with the answer's ends moved onto the ink (`Search.snap`), with the
views' other readings as starts (`Search.alternatives`), with the default number of refinements per start
(`Search.passes`) and with the sharpest of the answers most starts agree on kept (`Search.consensus`), and
prints one markdown row per size and stage:
hit rate, mean and median corner error in % of the text height, % of the width, and the mean time per photo.
`--real DATASET` adds the same rows for labelled photos.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from synthcert.config import resolve_config  # noqa: E402
from synthcert.pipeline import Renderer  # noqa: E402
from synthcert.training.options import TRAIN_SCENE  # noqa: E402
from synthcert.training.refine import Search  # noqa: E402

NO_SEARCH = Search(heights=(), shifts=(), passes=1, parallelogram=False, zooms=(), turns=(), snap=False,
                   alternatives=0)  # refined once


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("detector", type=Path, help="a detector directory (or .keras file) written by train.py")
    p.add_argument("--template", action="append", help="template directory (repeatable; default: built-in)")
    p.add_argument("--sizes", default="1600x1200,4000x3000", help="comma-separated WxH render sizes")
    p.add_argument("--count", type=int, default=24, help="renders per size")
    p.add_argument("--seed", type=int, default=3_000_000)
    p.add_argument("--preset", default="default", help="photometric preset of the renders")
    p.add_argument("--train-scene", action="store_true", help="train.py's wider scene ranges, not the defaults")
    p.add_argument("--real", type=Path, help="also measure these labelled photos (any dataset synthcert reads)")
    args = p.parse_args(argv)

    from synthcert.datasets import read_dataset
    from synthcert.keras import load_detector

    detector = load_detector(args.detector)
    print("| photos | stage | hit rate | mean % of text height | median % | mean % of width | s per photo |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for size in args.sizes.split(","):
        wh = tuple(int(v) for v in size.lower().split("x"))
        config = resolve_config(None, wh, args.preset)
        if args.train_scene:
            config = config.replace(scene=TRAIN_SCENE)
        renderer = Renderer(args.template, config)
        report(detector, f"{wh[0]}x{wh[1]} renders", [renderer.render(i, args.seed) for i in range(args.count)])
    if args.real is not None:
        report(detector, args.real.name, list(read_dataset(args.real)))
    return 0


def report(detector, name: str, photos: list) -> None:
    """Prints the rows of one set of photos: stage 1, one refinement, both stages with the search (free corners,
    the nearest parallelogram, that with stage 1 on zoomed views too, on turned views too, the ends snapped, the
    views' other readings as starts too, the default number of refinements per start, and the consensus)."""
    from synthcert.keras import evaluate_detector

    search = dataclasses.replace(detector.search, parallelogram=False, zooms=(), turns=(), snap=False, alternatives=0,
                                 consensus=False)
    default = Search()
    steps = {"refined, search": {},
             "refined, search, parallelogram": {"parallelogram": True},
             "refined, search, parallelogram, zoomed views": {"zooms": default.zooms},
             "refined, search, parallelogram, zoomed and turned views": {"turns": default.turns},
             "... and the ends snapped to the ink": {"snap": True},
             "... and the views' other readings (heatmap peaks)": {"alternatives": default.alternatives},
             f"... and each start refined {default.passes} times": {"passes": default.passes},
             "... and the sharpest of the answers most starts agree on": {"consensus": default.consensus}}
    searches = {"refined once": NO_SEARCH}
    for step, change in steps.items():  # each row adds its change to the row before
        search = dataclasses.replace(search, **change)
        searches[step] = search
    stages = (("coarse", detector, False),
              *((name, dataclasses.replace(detector, search=s), True) for name, s in searches.items()))
    for stage, d, refine in stages:
        if refine and d.refiner is None:
            continue
        start = time.perf_counter()
        m, _ = evaluate_detector(d, photos, refine)
        per_photo = (time.perf_counter() - start) / len(photos)
        print(f"| {name} | {stage} | {m['hits']}/{m['count']} ({m['hit_rate']:.0%}) "
              f"| {m['mean_pct_text_height']:.1f} % | {m['median_pct_text_height']:.1f} % "
              f"| {m['mean_pct_width']:.2f} % | {per_photo:.3f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
