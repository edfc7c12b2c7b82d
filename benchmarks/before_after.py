"""The in-memory figures of `synthcert bench --quick` for two source trees, measured in one run.

    git archive <commit> | tar -x -C /tmp/before        # the tree to compare with
    python benchmarks/before_after.py /tmp/before . --rounds 2

Each tree renders in its own process (so neither sees the other's caches), the trees alternating for
`--rounds` rounds so that both see the same load; prints each figure's median over the rounds and the
values of every round, and the median of the rounds' after / before ratios (the two processes of a round
ran one after the other, so their ratio saw nearly the same load). Shares of a loaded machine move from
minute to minute: compare the columns, not this table with another run's.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, cv2
cv2.setNumThreads(1)
from synthcert.benchmark import BenchSettings, _in_memory
from synthcert.config import resolve_config
s = BenchSettings.quick(runs=3, images=200, warmup=600)
figures = _in_memory(resolve_config(None, s.image_size_wh, s.preset), s)
print(json.dumps({f.name: [f.value, f.unit, f.note] for f in figures}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="source tree (a checkout or an unpacked git archive)")
    parser.add_argument("after", type=Path, help="the other source tree")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for tree in trees.values():
        if not (tree / "synthcert" / "pipeline.py").is_file():
            sys.exit(f"{tree}: holds no synthcert/pipeline.py; pass the root of a source tree")
    runs = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(tree)}
            done = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=tree, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{tree}: the benchmark failed:\n{done.stderr}")
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("| measure | before | after | after / before |\n| --- | ---: | ---: | ---: |")
    keys = {**runs["before"][0], **runs["after"][0]}  # a figure one tree names and the other does not gets "-"
    for key, (_, unit, _) in keys.items():
        cells = []
        for name in trees:
            values = [run[key][0] for run in runs[name] if key in run]
            notes = sorted({run[key][2] for run in runs[name] if key in run and run[key][2]})
            note = f" ({'; '.join(notes)})" if notes and "per CPU-second" in notes[0] else ""
            cells.append(f"{statistics.median(values):.2f} {unit} [{', '.join(f'{v:.2f}' for v in values)}]{note}"
                         if values else "-")
        # Each round's two processes ran one after the other: their ratio saw nearly the same load.
        ratios = [a[key][0] / b[key][0] for b, a in zip(runs["before"], runs["after"], strict=True)
                  if key in a and key in b and b[key][0]]
        paired = f"{statistics.median(ratios):.3f} [{', '.join(f'{r:.3f}' for r in ratios)}]" if ratios else ""
        print(f"| {key} | {cells[0]} | {cells[1]} | {paired} |")


if __name__ == "__main__":
    main()
