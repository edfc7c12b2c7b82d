"""What `train.py --unlabelled` does to a trained detector, measured on labelled photos whose labels it never sees.

    python benchmarks/adapt_photos.py runs/real-photo/template-voc-1/synthetic-only ../shared/real/malaysia-voc \
        --test voc-2.jpg --unlabelled voc-1.jpg,voc-2.jpg --thresholds 0.8,0

DETECTOR is a directory train.py wrote (its summary.json gives the renders' settings); DATASET any labelled
dataset. Each row starts again from the trained detector: as trained, BatchNorm adaptation only
(`adapt_detector`), then pseudo-labels (`self_train`) at each threshold, on the --unlabelled photos; every row
is scored on the --test photos with their labels (synthcert.evaluation). The fine-tune draws renders from a
pool of --pool-size samples of the detector's own training configuration.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthcert.datasets import read_dataset  # noqa: E402
from synthcert.training.options import TrainOptions  # noqa: E402


def pick(samples, names: str, dataset) -> list:
    by_name = {Path(s.source).name: s for s in samples}
    missing = [n for n in names.split(",") if n not in by_name]
    if missing:
        sys.exit(f"Error: {dataset}: has no photo {', '.join(missing)} (it has {', '.join(sorted(by_name))})")
    return [by_name[n] for n in names.split(",")]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("detector", type=Path)
    p.add_argument("dataset", type=Path)
    p.add_argument("--test", required=True, help="comma-separated file names of the photos scored")
    p.add_argument("--unlabelled", help="comma-separated file names adapted to, labels unseen (default: --test)")
    p.add_argument("--thresholds", default="0.8", help="pseudo-label confidences, comma-separated (default 0.8)")
    p.add_argument("--steps", type=int, help="fine-tuning steps per round (default TrainOptions')")
    p.add_argument("--pool-size", type=int, default=1500, help="renders the fine-tune draws from (default 1500)")
    a = p.parse_args(argv)
    samples = read_dataset(a.dataset)
    test, unlabelled = pick(samples, a.test, a.dataset), pick(samples, a.unlabelled or a.test, a.dataset)
    from synthcert.keras import CertificateStream, adapt_detector, evaluate_detector, load_detector, self_train
    from synthcert.keras.prepare import training_config

    options = json.loads((a.detector / "summary.json").read_text())["options"]
    o = TrainOptions(**{k: tuple(v) if isinstance(v, list) else v for k, v in options.items()})
    steps = o.pseudo_label_steps if a.steps is None else a.steps
    stream = CertificateStream(batch_size=o.batch_size, seed=o.seed, config=training_config(o), templates=o.templates,
                               pool_size=a.pool_size, pool_workers=o.pool_workers)
    photos = [s.image for s in unlabelled]

    def batchnorm_only(detector) -> str:
        done = adapt_detector(detector, photos, o.seed)
        return f"{done['coarse_layers']} + {done.get('refine_layers', 0)} BatchNorm layers adapted"

    rows = {"as trained": lambda detector: "", "BatchNorm only": batchnorm_only}
    for threshold in (float(t) for t in a.thresholds.split(",")):
        rows[f"pseudo-labels >= {threshold:g}"] = lambda d, t=threshold: self_train(
            d, photos, stream, threshold=t, steps=steps, rounds=o.pseudo_label_rounds, learning_rate=o.learning_rate,
            real_fraction=o.real_fraction, augmentation=o.augmentation, seed=o.seed)["pseudo_labels"]["note"]
    print(f"adapted to {a.unlabelled or a.test}; scored on {a.test}")
    print("| detector | hit rate | % of text height | % of width | confidences | problems | s | what was done |")
    print("|---|---|---|---|---|---|---|---|")
    for name, adapt in rows.items():
        detector = load_detector(a.detector)
        start = time.monotonic()
        note = adapt(detector)
        metrics, locations = evaluate_detector(detector, test)
        confidences = ", ".join("-" if c.confidence is None else f"{c.confidence:.2f}" for c in locations)
        print(f"| {name} | {metrics['hit_rate']:.0%} | {metrics['mean_pct_text_height']:.1f} | "
              f"{metrics['mean_pct_width']:.2f} | {confidences} | {sum(c.problem is not None for c in locations)} | "
              f"{time.monotonic() - start:.0f} | {note} |", flush=True)


if __name__ == "__main__":
    main()
