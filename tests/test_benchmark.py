"""Tests of synthcert.benchmark: the report's shape, targets and freedom from TensorFlow."""

from __future__ import annotations

import subprocess
import sys

from synthcert.benchmark import BenchSettings, run_benchmark

TINY = BenchSettings.quick(image_size_wh=(96, 64), runs=1, images=3, warmup=3, disk_images=8, memory_samples=3,
                           workers=1)


def test_tiny_benchmark_reports_every_stage_and_the_targets():
    report = run_benchmark(TINY)
    names = [f.name for f in report.figures]
    assert names[0] == "renderer, in memory, 1 OpenCV thread"
    assert sum(n.startswith("stage: ") for n in names) == 4
    assert any("render to disk" in n and "steady state" in n for n in names)
    assert all(f.value is None or f.value >= 0 for f in report.figures)
    assert {f.met for f in report.figures if f.target} <= {True, False}
    table = report.to_markdown()
    assert "| measure | value | target | met | note |" in table and "96 x 64" in table


def test_benchmark_without_keras_does_not_import_tensorflow():
    code = ("import sys; from synthcert.benchmark import run_benchmark; from tests.test_benchmark import TINY; "
            "run_benchmark(TINY); print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
