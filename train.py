"""Train the corner regressor of the seed talk on endless synthetic (optionally mixed real) photos.

A thin shell: flags become `synthcert.training.options.TrainOptions` and `synthcert.keras.train` does the
work. See docs/training.md for the measured default run and what every artefact in `--out` holds.

    python train.py                                  # default run, about 27 minutes on 2 CPU cores
    python train.py --quick --out runs/smoke         # a couple of minutes
    python train.py --real data/real --real-fraction 0.25 --out runs/mixed
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from synthcert.errors import SynthcertError
from synthcert.training.options import INPUT_MODES, LR_SCHEDULES, TrainOptions

EXIT_USER_ERROR = 2


def size_wh(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}; expected WIDTHxHEIGHT, e.g. 192x128")
    return int(w), int(h)


def channel_list(text: str) -> tuple[int, ...]:
    parts = text.split(",")
    if not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"{text!r}; expected positive filter counts, e.g. 16,24,32,48")
    return tuple(int(p) for p in parts)


class _Parser(argparse.ArgumentParser):
    """Reports a bad flag as one line, as the synthcert command line does, not as the usage plus the error."""

    def error(self, message):
        self.exit(EXIT_USER_ERROR, f"Error: {message} (see 'python train.py --help')\n")


def parse_args(argv=None) -> TrainOptions:
    argv = sys.argv[1:] if argv is None else list(argv)
    d = TrainOptions().quick() if "--quick" in argv else TrainOptions()  # explicit flags still win
    p = _Parser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", default=d.out, help=f"output directory (default {d.out})")
    # argparse %-formats help texts: the percentage's sign is written %% to print as one %.
    p.add_argument("--real", help="labelled real photos to mix in: COCO keypoints, YOLO-OBB or manifest.jsonl "
                                  f"directory; {d.real_val_fraction:.0%}% are held out for validation")
    p.add_argument("--real-fraction", type=float, default=d.real_fraction,
                   help=f"share of every batch taken by real photos (default {d.real_fraction})")
    p.add_argument("--epochs", type=int, default=d.epochs, help=f"at most this many epochs (default {d.epochs})")
    p.add_argument("--steps-per-epoch", type=int, default=d.steps_per_epoch, help=f"default {d.steps_per_epoch}")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help=f"default {d.batch_size}")
    p.add_argument("--image-size", type=size_wh, default=d.image_size,
                   help=f"model input WxH (default {d.image_size[0]}x{d.image_size[1]})")
    p.add_argument("--channels", type=channel_list, default=d.channels,
                   help=f"filters per conv block (default {','.join(map(str, d.channels))})")
    p.add_argument("--input-mode", choices=INPUT_MODES, default=d.input_mode,
                   help="what both stages see: the photo's luminance standardised per image (blind to colour, "
                        f"brightness and contrast) or its colours (default {d.input_mode})")
    p.add_argument("--head", choices=("heatmap", "dense"), default=d.head,
                   help=f"heatmap: per-corner heatmaps and soft-argmax; dense: the seed's Flatten + Dense(8) "
                        f"(default {d.head})")
    p.add_argument("--learning-rate", type=float, default=d.learning_rate, help=f"default {d.learning_rate}")
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=d.lr_schedule,
                   help="anneal: held for 70 %% of each stage's epochs or time, whichever ends first, then a "
                        f"half cosine to a hundredth; plateau: halved when the error stalls (default {d.lr_schedule})")
    p.add_argument("--pool-size", type=int, default=d.pool_size or 0,
                   help=f"synthetic samples rendered once and drawn again in shuffled passes; 0 renders every "
                        f"sample fresh (default {d.pool_size})")
    p.add_argument("--pool-workers", type=int, default=d.pool_workers,
                   help=f"processes rendering the pool (default {d.pool_workers})")
    p.add_argument("--pool-freshness", type=int, default=d.pool_freshness,
                   help="renew the pool while training: serve each sample this many times, then replace it by a "
                        "fresh render from the pool's processes (for a fast GPU; needs --pool-size; give it thread "
                        "--workers); default: a fixed pool")
    p.add_argument("--pool-augment", type=float, default=d.pool_augment,
                   help="strength of the cheap, label-exact augmentation of a renewing pool's batches (homography, "
                        f"light, noise); 0 for none (default {d.pool_augment:g})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"training stream seed (default {d.seed})")
    p.add_argument("--validation-count", type=int, default=d.validation_count,
                   help=f"synthetic validation samples (default {d.validation_count})")
    p.add_argument("--max-minutes", type=float, default=d.max_minutes,
                   help=f"stop after the epoch that would exceed this wall time (default {d.max_minutes})")
    p.add_argument("--workers", type=int, default=d.workers, help=f"Keras PyDataset workers (default {d.workers})")
    p.add_argument("--use-multiprocessing", action="store_true", help="render in worker processes")
    p.add_argument("--config", help="render configuration YAML for the synthetic photos (default: the render "
                                    "defaults with the wider train-time scene ranges, docs/training.md)")
    p.add_argument("--template", action="append", dest="templates", metavar="DIR",
                   help="template directory to render (repeatable; default: the built-in templates)")
    p.add_argument("--target", default=d.target, help=f"the field to find, any field the templates print "
                                                      f"(default {d.target})")
    p.add_argument("--unlabelled", metavar="DIR", help="your unlabelled photos: after training, both stages' "
                                                        "BatchNorm statistics are re-estimated on them, then stage 1 "
                                                        "is fine-tuned on the photos it answers confidently")
    p.add_argument("--pseudo-label-confidence", type=float, default=d.pseudo_label_confidence,
                   help="calibrated confidence an unlabelled photo's answer needs to become a label; above 1 keeps "
                        f"none (default {d.pseudo_label_confidence})")
    p.add_argument("--pseudo-label-steps", type=int, default=d.pseudo_label_steps,
                   help=f"fine-tuning steps per round on renders and pseudo-labelled photos; 0: BatchNorm "
                        f"adaptation only (default {d.pseudo_label_steps})")
    p.add_argument("--pseudo-label-rounds", type=int, default=d.pseudo_label_rounds,
                   help=f"rounds of labelling and fine-tuning (default {d.pseudo_label_rounds})")
    p.add_argument("--no-refine", action="store_true", help="train stage 1 only (no refiner)")
    p.add_argument("--refine-count", type=int, default=d.refine_count,
                   help=f"phone-resolution renders the refiner learns from (default {d.refine_count})")
    p.add_argument("--refine-photo-size", type=size_wh, default=d.refine_photo_size,
                   help=f"size of those renders (default {d.refine_photo_size[0]}x{d.refine_photo_size[1]})")
    p.add_argument("--refine-channels", type=channel_list, default=d.refine_channels,
                   help=f"filters per block of the refiner (default {','.join(map(str, d.refine_channels))})")
    p.add_argument("--photometric", choices=("none", "light", "default", "heavy", "config"), default=d.photometric,
                   help=f"photometric preset, replacing the configuration's; 'config' keeps it (default "
                        f"{d.photometric}: the presets are tuned for 384x256 photos)")
    p.add_argument("--tensorboard", action="store_true", help="also write a TensorBoard log to OUT/tensorboard")
    p.add_argument("--quick", action="store_true", help="smoke test: 96x64 inputs, 4 short epochs, minutes; "
                                                         "other flags override it")
    p.add_argument("--verbose", type=int, choices=(0, 1, 2), default=d.verbose, help="Keras fit verbosity")
    a = p.parse_args(argv)
    return TrainOptions(
        out=a.out, real=a.real, real_fraction=a.real_fraction, epochs=a.epochs, steps_per_epoch=a.steps_per_epoch,
        batch_size=a.batch_size, image_size=a.image_size, channels=a.channels, head=a.head, input_mode=a.input_mode,
        learning_rate=a.learning_rate, lr_schedule=a.lr_schedule, pool_size=a.pool_size or None,
        pool_workers=a.pool_workers, pool_freshness=a.pool_freshness, pool_augment=a.pool_augment, seed=a.seed,
        validation_count=a.validation_count, max_minutes=a.max_minutes, workers=a.workers,
        use_multiprocessing=a.use_multiprocessing, config=a.config, target=a.target, unlabelled=a.unlabelled,
        pseudo_label_confidence=a.pseudo_label_confidence, pseudo_label_steps=a.pseudo_label_steps,
        pseudo_label_rounds=a.pseudo_label_rounds,
        templates=tuple(a.templates) if a.templates else None, refine=not a.no_refine, refine_count=a.refine_count,
        refine_photo_size=a.refine_photo_size, refine_channels=a.refine_channels,
        photometric=None if a.photometric == "config" else a.photometric, tensorboard=a.tensorboard, verbose=a.verbose,
    )


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        options = parse_args(argv)
    except ValueError as e:  # settings that are each valid but do not fit together
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        from synthcert.keras import train

        summary = train(options)
    except SynthcertError as e:
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    printed = ("model", "validation", "refine", "adaptation", "inference", "training")
    print(json.dumps({k: summary[k] for k in printed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
