"""Tests of synthcert.benchmark: every figure measured, targets checked the right way round, no TensorFlow."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
from pathlib import Path

import cv2
import pytest

from synthcert.benchmark import MEMORY_VERDICT_SAMPLES, BenchSettings, Figure, Target, run_benchmark
from tests.fresh_imports import heavy_imports

TINY = BenchSettings.quick(image_size_wh=(96, 64), runs=1, images=3, warmup=3, disk_images=8, memory_samples=3,
                           workers=1)


@pytest.fixture(scope="module")
def report():
    return run_benchmark(TINY)


def test_tiny_benchmark_reports_every_stage_the_baseline_and_the_targets(report):
    names = [f.name for f in report.figures]
    assert names[0] == "renderer, in memory, 1 OpenCV thread"
    assert sum(n.startswith("stage: ") for n in names) == 5  # template, scene, photometric, decoding, encoding
    assert any(n.startswith("hand-written renderer") for n in names)
    bare = next(f for f in report.figures if f.name.startswith("renderer without its realism"))
    assert "x the hand-written renderer" in bare.note and "ms of the renderer's" in bare.note
    assert any("render to disk" in n and "steady state" in n for n in names)
    targets = {f.target.text for f in report.figures if f.target is not None}
    assert targets >= {">= 400", ">= 5 x", ">= 300 per core", "< 50 per 100,000"}
    table = report.to_markdown()
    assert "| measure | value | target | met | note |" in table and "96 x 64" in table


def test_every_figure_is_measured_and_every_rate_and_time_is_positive(report):
    for f in report.figures:
        assert f.value is not None and math.isfinite(f.value), f.name
        if f.unit in ("img/s", "ms", "ms/img", "x"):
            assert f.value > 0, f.name
    assert all(f.met in (True, False) for f in report.figures if f.target is not None and f.judged)


def test_each_target_is_met_exactly_when_its_checked_value_passes_it(report):
    ratio = next(f for f in report.figures if f.name == "renderer / hand-written renderer")
    rate = report.figures[0]
    assert ratio.value == pytest.approx(rate.value / next(f.value for f in report.figures
                                                           if f.name.startswith("hand-written")), rel=1e-9)
    for f in report.figures:
        if f.target is not None and f.judged:
            checked = f.value if f.checked is None else f.checked
            passes = checked >= f.target.threshold if f.target.op == ">=" else checked < f.target.threshold
            assert f.met is passes, f.name


@pytest.mark.parametrize(("target", "value", "met"), [
    (Target(">=", 400, ">= 400"), 401.0, True), (Target(">=", 400, ">= 400"), 399.0, False),
    (Target("<", 50, "< 50"), 49.0, True), (Target("<", 50, "< 50"), 50.0, False),
    (Target(">=", 1.8, ">= 1.8 x"), None, None),
], ids=["above", "below", "under", "at_limit", "unmeasured"])
def test_targets_compare_the_right_way_round(target, value, met):
    assert target.met_by(value) is met
    assert Figure("x", value, "x", target).met is met
    if value is not None:
        assert Figure("x", -value, "x", target, checked=value).met is met  # the checked value decides


def test_a_memory_run_too_short_to_tell_a_leak_from_filling_caches_gets_no_verdict(report):
    # TINY streams 3 samples: scaled to 100,000 its growth says nothing about a leak, so there is no yes or no.
    memory = next(f for f in report.figures if f.name.startswith("resident set growth"))
    assert TINY.memory_samples < MEMORY_VERDICT_SAMPLES
    assert memory.target is not None and not memory.judged and memory.met is None
    assert f"--memory-samples {MEMORY_VERDICT_SAMPLES}" in memory.note
    row = next(line for line in report.to_markdown().splitlines() if line.startswith("| resident set growth"))
    assert "| not judged |" in row
    # The same figure over enough samples is judged on its scaled growth, either way.
    assert dataclasses.replace(memory, checked=10.0, judged=True).met is True
    assert dataclasses.replace(memory, checked=60.0, judged=True).met is False


def test_benchmark_without_keras_does_not_import_tensorflow():
    code = "from synthcert.benchmark import run_benchmark; from tests.test_benchmark import TINY; run_benchmark(TINY)"
    assert heavy_imports(code, ("tensorflow", "keras")) == []


def test_a_starved_stand_in_projects_more_render_processes_than_it_had():
    # One render process cannot keep a 2 ms step fed (thousands of images a second at freshness 16): the stand-in
    # waits, so the projection must ask for more processes than the one it had; a wrong-way formula asks for fewer.
    from synthcert.benchmark import _renewing_stand_in

    figures = {f.name.split(": ")[-1] if ": " in f.name else f.name: f for f in
               _renewing_stand_in(BenchSettings.quick(workers=1, stand_in_steps=60))}
    waiting = next(f for name, f in figures.items() if name.startswith("share of the stand-in's time waiting"))
    projected = next(f for name, f in figures.items() if name.startswith("render processes for"))
    serving = next(f for name, f in figures.items() if name.startswith("serving a batch"))
    assert waiting.value > 20
    assert projected.value > 1
    assert serving.value > 0


def test_time_per_image_draws_the_stages_with_the_scene_less_its_bends_and_hands(report, tmp_path):
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "time_per_image.py"
    spec = importlib.util.spec_from_file_location("time_per_image", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = report.to_dict()["figures"]
    ms = module.ms_per_image(figures)
    by_name = {f["name"]: f["value"] for f in figures}
    extras = sum(v for n, v in by_name.items() if n.startswith("scene stage: "))
    assert ms["scene"] == pytest.approx(by_name["stage: camera, background, warp, bend, fingers, labels"] - extras)
    assert ms["synthcert"] == pytest.approx(1000 / report.figures[0].value)
    bench_json, png = tmp_path / "bench.json", tmp_path / "out" / "speed.png"
    bench_json.write_text(json.dumps(report.to_dict()))
    assert module.main([str(bench_json), "-o", str(png)]) == 0
    assert cv2.imread(str(png)).shape[1] > 500
