"""Runs `synthcert bench` without installing the package: `python benchmarks/bench.py [--keras] [--quick]`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthcert.cli.bench import bench  # noqa: E402

if __name__ == "__main__":
    bench()
