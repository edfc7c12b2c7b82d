"""Where a render's time goes, as a picture: `synthcert bench --json FILE`'s figures drawn as bars of ms per image.

    synthcert bench --quick --json bench.json
    python benchmarks/time_per_image.py bench.json -o docs/images/speed-per-image.png

One bar per renderer of the benchmark's alternating runs: synthcert's, cut into its stages (the scene's bends and
hands apart), the same renderer without its realism, and the hand-written baseline; with the two renderer targets
as lines (400 images/s, and 5 x the baseline's rate). Reads the figures only: it measures nothing itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RENDERER = "renderer, in memory, 1 OpenCV thread"
BARE = "renderer without its realism"
NAIVE = "hand-written renderer"
# The renderer's parts, in the order a render runs them: (label, figure name prefix).
PARTS = (("template and text", "stage: template and text"), ("scene", "stage: camera"),
         ("bends", "scene stage: bends"), ("hands", "scene stage: hands"),
         ("photometric", "stage: photometric"), ("JPEG decoding", "stage: JPEG decoding"))


def ms_per_image(figures: list[dict]) -> dict[str, float]:
    """The ms per image of each part and renderer named in PARTS and above; the scene without its bends and hands."""
    def value(prefix: str) -> float:
        return next((f["value"] for f in figures if f["name"].startswith(prefix)), 0.0)

    ms = {label: value(prefix) for label, prefix in PARTS}
    ms["scene"] -= ms["bends"] + ms["hands"]  # the scene stage's mean includes them
    for label, name in (("synthcert", RENDERER), ("without its realism", BARE), ("hand-written", NAIVE)):
        rate = value(name)
        if not rate:
            sys.exit(f"{name!r} is not among the figures: pass the JSON of a `synthcert bench` run (not --keras alone)")
        ms[label] = 1000 / rate
    return ms


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bench_json", type=Path, help="written by `synthcert bench --json FILE`")
    p.add_argument("-o", "--out", type=Path, default=Path("speed-per-image.png"))
    args = p.parse_args(argv)
    try:
        report = json.loads(args.bench_json.read_text())
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"{args.bench_json}: cannot read it as a benchmark's JSON ({e}); write one with "
                 "`synthcert bench --json FILE`")
    ms = ms_per_image(report["figures"])
    fig, ax = plt.subplots(figsize=(9, 2.8), dpi=120)
    left = 0.0
    colours = plt.get_cmap("tab10").colors
    for k, (label, _) in enumerate(PARTS):
        ax.barh(2, ms[label], left=left, color=colours[k], label=f"{label} {ms[label]:.2f}")
        left += ms[label]
    if ms["synthcert"] > left:  # what no stage holds: the trace's bookkeeping, the sample's assembly
        ax.barh(2, ms["synthcert"] - left, left=left, color="lightgrey", label=f"other {ms['synthcert'] - left:.2f}")
    ax.barh(1, ms["without its realism"], color="grey")
    ax.barh(0, ms["hand-written"], color="black")
    for y, label in ((2, "synthcert"), (1, "without its realism"), (0, "hand-written")):
        ax.text(ms[label] + 0.1, y, f"{ms[label]:.2f} ms", va="center")
    ax.axvline(2.5, color="red", linestyle="--", label="target 400/s (2.5 ms)")
    ax.axvline(ms["hand-written"] / 5, color="purple", linestyle=":", label="target 5 x the hand-written")
    ax.set_yticks([0, 1, 2], ["hand-written\n(no realism)", "synthcert,\nrealism off", "synthcert\n(default)"])
    ax.set_xlabel("ms per image, one core (384 x 256)" if "image_size_wh" not in report.get("settings", {})
                  else "ms per image, one core ({} x {})".format(*report["settings"]["image_size_wh"]))
    ax.set_xlim(0, 1.15 * max(ms["synthcert"], ms["hand-written"]))
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
