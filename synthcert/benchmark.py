"""Throughput and memory benchmark: the renderer in memory, per stage, `render` to disk and the Keras stream.

Measurement only: it times the public entry points (`Renderer.trace`, `render_dataset`,
`CertificateStream`) the way users call them and holds no rendering logic. TensorFlow is imported only
when the Keras stream is measured. Every figure is the median of several runs after a warm-up; stage
times come from `RenderTrace.stage_s`, inside the very renders that give the totals. The same renderer without
its realism (no photometric effects, bends or fingers), in runs alternating with the others, and what a bend and
a hand add where they fire say where a missed target's time goes.

Rendering to disk starts worker processes and warms their caches, a fixed cost of a few seconds; the
steady-state rate (images per second between a short and a long run of the same job) is what a long
run converges to, and the targets are checked on it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from synthcert.config import RenderConfig, resolve_config
from synthcert.datasets.layout import encode_image, library_versions, write_new
from synthcert.datasets.render import default_workers, render_dataset
from synthcert.naive_renderer import NaiveRenderer
from synthcert.pipeline import Renderer
from synthcert.rng import STAGES

# Streamed samples below which the memory target is not judged: the process's caches (glyphs, lines, textures) fill
# over the first few thousand samples, growth that a short run would scale to 100,000 as if it were a leak.
MEMORY_VERDICT_SAMPLES = 20_000


@dataclass(frozen=True)
class BenchSettings:
    """What to measure and how long.

    Attributes:
        image_size_wh: output size (W, H).
        preset: photometric preset.
        runs: timed runs per figure; the median is reported.
        images: images per in-memory run.
        warmup: images rendered first, to fill the template, glyph and texture caches.
        disk_images: images the long run to disk renders beyond the short one, which gives every worker `warmup`.
        disk_dir: where the runs to disk write (in temporary subdirectories); None for the system's temporary
            directory. Slow storage shows: compare with a RAM disk such as /dev/shm.
        workers: processes for the parallel run to disk; None for every core.
        memory_samples: samples streamed while watching the resident set.
        keras: also measure the Keras stream and the default model's training steps (imports TensorFlow).
        keras_steps: training steps per timed Keras run.
        freshness: serves per sample of the renewing pool measured with `keras` (`synthcert.training.renewing`).
        stand_in_ms: the stand-in training step (what a GPU takes per batch) fed by the renewing pool.
        stand_in_steps: stand-in steps per measurement.
        stand_in_threads: threads serving the stand-in, as Keras's thread workers do (`train.py --workers`).
    """

    image_size_wh: tuple[int, int] = (384, 256)
    preset: str = "default"
    runs: int = 5
    images: int = 400
    warmup: int = 1000
    disk_images: int = 2400
    disk_dir: str | None = None
    workers: int | None = None
    memory_samples: int = 20_000
    keras: bool = False
    keras_steps: int = 30
    freshness: int = 16
    stand_in_ms: float = 2.0
    stand_in_steps: int = 400
    stand_in_threads: int = 2

    @classmethod
    def quick(cls, **changes) -> BenchSettings:
        """A run of a minute or less: fewer, shorter runs; the figures are rougher."""
        return dataclasses.replace(cls(runs=3, images=150, warmup=300, disk_images=600, memory_samples=2000,
                                       keras_steps=10, stand_in_steps=100), **changes)


@dataclass(frozen=True)
class Target:
    """An issue's target: the checked value must be `op` (">=" or "<") `threshold`; `text` is how it reads."""

    op: str
    threshold: float
    text: str

    def met_by(self, value: float | None) -> bool | None:
        """Whether `value` meets the target; None when nothing was measured."""
        if value is None:
            return None
        return value >= self.threshold if self.op == ">=" else value < self.threshold


@dataclass(frozen=True)
class Figure:
    """One measured figure, with the issue's target when there is one.

    Attributes:
        checked: the value the target is checked on when it is not `value` itself (a ratio, a scaled
            growth); None to check `value`.
        judged: False where too little was measured for a verdict on the target (the note says why): `met` is
            None and the table says "not judged".
    """

    name: str
    value: float | None
    unit: str
    target: Target | None = None
    note: str = ""
    checked: float | None = None
    judged: bool = True

    @property
    def met(self) -> bool | None:
        if self.target is None or not self.judged:
            return None
        return self.target.met_by(self.value if self.checked is None else self.checked)


@dataclass
class BenchReport:
    """Figures with the machine and settings they were measured on."""

    settings: BenchSettings
    machine: dict[str, str]
    figures: list[Figure] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"settings": dataclasses.asdict(self.settings), "machine": self.machine,
                "figures": [{**dataclasses.asdict(f), "met": f.met} for f in self.figures]}

    def to_markdown(self) -> str:
        """The report as a Markdown table, preceded by the machine and settings."""
        lines = [f"- {k}: {v}" for k, v in self.machine.items()]
        w, h = self.settings.image_size_wh
        lines += [f"- configuration: {w} x {h}, preset {self.settings.preset}; medians of {self.settings.runs} runs "
                  f"after {self.settings.warmup} warm-up images", "",
                  "| measure | value | target | met | note |", "| --- | ---: | --- | --- | --- |"]
        for f in self.figures:
            value = "n/a" if f.value is None else f"{f.value:,.{1 if f.value >= 10 else 2}f} {f.unit}"
            met = ("not judged" if f.target is not None and not f.judged else "" if f.met is None else
                   "yes" if f.met else "**no**")
            lines.append(f"| {f.name} | {value} | {'' if f.target is None else f.target.text} | {met} | {f.note} |")
        return "\n".join(lines)


def run_benchmark(settings: BenchSettings | None = None, log=None) -> BenchReport:
    """Measures throughput and memory; takes a few minutes with the default settings.

    Args:
        settings: what to measure; None for `BenchSettings()`.
        log: called with a line of progress now and then (e.g. `print`), or None.

    Returns:
        A BenchReport; `to_markdown()` prints it.

    Example:
        >>> report = run_benchmark(BenchSettings.quick(runs=1, images=5, warmup=5, disk_images=8,
        ...                                            memory_samples=5, workers=1))
        >>> report.figures[0].unit
        'img/s'
    """
    settings = settings or BenchSettings()
    log = log or (lambda line: None)
    config = resolve_config(None, settings.image_size_wh, settings.preset)
    report = BenchReport(settings, _machine())
    default_threads = cv2.getNumThreads()
    try:
        cv2.setNumThreads(1)
        log("renderer in memory, one OpenCV thread")
        report.figures += _in_memory(config, settings)
        log("renderer in memory, OpenCV's default threads")
        cv2.setNumThreads(default_threads)
        rate = _in_memory(config, settings, stages=False)[0]
        report.figures.append(dataclasses.replace(rate, name=f"renderer, in memory, {default_threads} OpenCV threads",
                                                  target=None, note=""))
        cv2.setNumThreads(1)
        log("render to disk")
        report.figures += _to_disk(config, settings)
        log(f"memory while streaming {settings.memory_samples} samples")
        report.figures += _memory(config, settings)
        if settings.keras:
            log(f"renewing pool (freshness {settings.freshness}) feeding a {settings.stand_in_ms} ms stand-in step")
            report.figures += _renewing_stand_in(settings)
            log("Keras stream and training steps")
            report.figures += _keras(settings)
    finally:
        cv2.setNumThreads(default_threads)
    report.machine["load average at the end"] = _load()
    return report


def _in_memory(config: RenderConfig, settings: BenchSettings, stages: bool = True) -> list[Figure]:
    """The renderer's rate; with `stages`, also the hand-written baseline's and the renderer's without its realism
    (no photometric effects, bends or fingers), in runs alternating with the renderer's so that all see the same
    load, the stage times, and what a bend and fingers add to the scene stage of the samples they fire on."""
    renderer = Renderer(config=config)
    others = {}
    if stages:
        others["naive"] = NaiveRenderer(config.scene.image_size_wh)
        others["bare"] = Renderer(config=config.replace(photometric={"preset": "none"},
                                                        scene={"bend_p": 0.0, "occluder_p": 0.0}))
    for i in range(settings.warmup):
        renderer.trace(i)
        for other in others.values():
            if i < settings.warmup // 4:
                other.render(i)
    rates, cpu_rates, stage_ms = [], [], {s: [] for s in (*STAGES, "decoding", "encoding")}
    other_rates = {name: [] for name in others}
    scene_s = {"flat": [], "bend": [], "fingers": []}  # scene stage: samples with neither, a bend only, fingers only
    fired = {"bend": 0, "fingers": 0}  # samples where each fired, alone or with the other
    index = 10**6  # fresh indices: the warm-up's texts are cached
    for _ in range(settings.runs):
        for name, other in others.items():
            t0 = time.perf_counter()
            for i in range(index, index + settings.images):
                other.render(i)
            other_rates[name].append(settings.images / (time.perf_counter() - t0))
        sums = dict.fromkeys(stage_ms, 0.0)
        wall = cpu = 0.0
        for _ in range(settings.images):
            t0, c0 = time.perf_counter(), time.process_time()
            trace = renderer.trace(index)
            t1 = time.perf_counter()
            image = trace.sample.image  # as `Renderer.render` returns it: a photo that ended as a JPEG is decoded here
            t2 = time.perf_counter()
            wall, cpu = wall + t2 - t0, cpu + time.process_time() - c0
            for name, seconds in trace.stage_s.items():
                sums[name] += seconds
            sums["decoding"] += t2 - t1
            kinds = [k for k, fired in (("bend", trace.bend), ("fingers", trace.occluders)) if fired is not None]
            for kind in kinds:
                fired[kind] += 1
            if len(kinds) < 2:
                scene_s[kinds[0] if kinds else "flat"].append(trace.stage_s["scene"])
            if stages and trace.jpeg is None:  # as `render` writes it: a photo that ended as a JPEG is that file
                t0 = time.perf_counter()
                encode_image(image, "jpg")
                sums["encoding"] += time.perf_counter() - t0
            index += 1
        rates.append(settings.images / wall)
        cpu_rates.append(settings.images / cpu)
        for name in stage_ms:
            stage_ms[name].append(1000 * sums[name] / settings.images)
    rate = statistics.median(rates)
    figures = [Figure("renderer, in memory, 1 OpenCV thread", rate, "img/s", Target(">=", 400, ">= 400"),
                      f"{statistics.median(cpu_rates):,.0f} per CPU-second")]
    if not stages:
        return figures
    ratios = [r / n for r, n in zip(rates, other_rates["naive"], strict=True)]
    bare, bare_ratio = statistics.median(other_rates["bare"]), statistics.median(
        [b / n for b, n in zip(other_rates["bare"], other_rates["naive"], strict=True)])
    figures += [Figure("hand-written renderer (synthcert/naive_renderer.py), in memory, 1 OpenCV thread",
                       statistics.median(other_rates["naive"]), "img/s", note="no realism; the baseline"),
                Figure("renderer / hand-written renderer", statistics.median(ratios), "x",
                       Target(">=", 5, ">= 5 x"), "median of the runs' ratios, runs alternating"),
                Figure("renderer without its realism (photometric preset none, no bends, no fingers)", bare, "img/s",
                       note=f"{bare_ratio:.2f} x the hand-written renderer; the realism is "
                            f"{1000 / rate - 1000 / bare:.2f} ms of the renderer's {1000 / rate:.2f} ms per image")]
    names = {"template": "template and text", "scene": "camera, background, warp, bend, fingers, labels",
             "photometric": "photometric effects",
             "decoding": "JPEG decoding (of the photos that ended as one, when their pixels are read)",
             "encoding": "JPEG encoding (quality 95, of the photos not already a JPEG)"}
    figures += [Figure(f"stage: {names[s]}", statistics.median(stage_ms[s]), "ms/img") for s in stage_ms]
    # What each costs where it fires, against the flat samples' scene, and so per image on average; shown where the
    # runs had such samples. Means, not medians: the parts of the stage's mean should add up to it.
    samples = settings.runs * settings.images
    for kind, label in (("bend", "bends"), ("fingers", "hands (fingers)")):
        if scene_s[kind] and scene_s["flat"]:
            extra = 1000 * (statistics.fmean(scene_s[kind]) - statistics.fmean(scene_s["flat"]))
            share = fired[kind] / samples
            figures.append(Figure(f"scene stage: {label}, on average", extra * share, "ms/img",
                                  note=f"{extra:.2f} ms on each of the {100 * share:.0f} % of samples they fire on "
                                       "(mean scene stage against the samples with neither)"))
    return figures


def _to_disk(config: RenderConfig, settings: BenchSettings) -> list[Figure]:
    workers = settings.workers or default_workers()
    figures, steady = [_file_write(settings.disk_dir)], {}
    for n in sorted({1, workers}):
        # The short run gives every worker `warmup` images, as the in-memory runs are warmed: spawned workers start
        # with cold glyph, line and texture caches (this process's are warm), so the images between the short and the
        # long run are all rendered warm, in workers as in this process. A short run of a quarter instead measured
        # 2 workers at 1.65 x 1 worker where 2,400 to 9,600 images gave 1.82 x.
        short_count = n * settings.warmup
        long_count = short_count + settings.disk_images
        short, long = [], []
        for _ in range(max(2, settings.runs // 2)):
            for count, times in ((short_count, short), (long_count, long)):
                with tempfile.TemporaryDirectory(prefix="synthcert-bench-", dir=settings.disk_dir) as out:
                    times.append(render_dataset(out, count, config=config, workers=n, overwrite=True).seconds)
        t_short, t_long = statistics.median(short), statistics.median(long)
        # The images between the short and the long run cost what a long run converges to: no start-up in them.
        steady[n] = (long_count - short_count) / max(t_long - t_short, 1e-9)
        start_up = max(t_long - long_count / steady[n], 0.0)
        label = f"render to disk (JPEG), {n} worker{'s' if n > 1 else ''}"
        figures.append(Figure(f"{label}, end to end", long_count / t_long, "img/s",
                              note=f"{long_count} images, {start_up:.1f} s of it start-up"))
        if n == 1:
            figures.append(Figure(f"{label}, steady state", steady[n], "img/s", Target(">=", 300, ">= 300 per core")))
        else:
            ratio = steady[n] / steady[1]
            figures.append(Figure(f"{label}, steady state", steady[n], "img/s", Target(">=", 1.8, ">= 1.8 x 1 worker"),
                                  f"{ratio:.2f} x 1 worker; {steady[n] / n:,.0f} per core", checked=ratio))
    return figures


def _file_write(directory: str | None, count: int = 200) -> Figure:
    """What storage alone costs per image: a new 30 KB file created and written, as the render job writes images."""
    data = os.urandom(30_000)
    with tempfile.TemporaryDirectory(prefix="synthcert-bench-", dir=directory) as out:
        t0 = time.perf_counter()
        for i in range(count):
            write_new(Path(out, f"{i}.jpg"), data)
        seconds = (time.perf_counter() - t0) / count
    return Figure("storage: write a new 30 KB file (create, write)", 1000 * seconds, "ms",
                  note=f"in {directory or tempfile.gettempdir()}")


def _memory(config: RenderConfig, settings: BenchSettings) -> list[Figure]:
    renderer = Renderer(config=config)
    for i in range(min(settings.warmup, settings.memory_samples)):
        renderer.render(i)
    before = _rss_mb()
    for i in range(settings.memory_samples):
        renderer.render(2 * 10**6 + i)
    after = _rss_mb()
    growth = None if before is None else after - before
    scaled = None if growth is None else growth * 100_000 / settings.memory_samples
    judged = settings.memory_samples >= MEMORY_VERDICT_SAMPLES
    note = ("after the warm-up; the target is checked on the growth scaled to 100,000 samples" if judged else
            f"not judged over fewer than {MEMORY_VERDICT_SAMPLES:,} samples: the caches still fill (about 6 MB over "
            "the first 3,000 samples, then flat), which a short run's growth scaled to 100,000 would count as a leak; "
            f"run with --memory-samples {MEMORY_VERDICT_SAMPLES}")
    figures = [Figure(f"resident set growth over {settings.memory_samples:,} streamed samples", growth, "MB",
                      Target("<", 50, "< 50 per 100,000"), note, checked=scaled, judged=judged)]
    # Before TensorFlow is imported: the peak of a process that renders, like each render worker.
    figures.append(Figure("peak resident set of a rendering process", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                          / 1024, "MB", note="this process, before the Keras figures"))
    return figures


def _keras(settings: BenchSettings) -> list[Figure]:
    from synthcert import keras as sk  # TensorFlow is imported here only
    from synthcert.training.options import TrainOptions

    opts = TrainOptions()
    w, h = opts.image_size
    batch, steps = opts.batch_size, settings.keras_steps
    pool_size = opts.pool_size
    streams = {"fresh renders": None}
    if pool_size:  # a draw costs the same from any pool size; a small pool keeps the set-up short
        streams["pool draws"] = min(pool_size, 16 * batch)
    default = "pool draws" if pool_size else "fresh renders"

    # The baseline: the same model on batches rendered beforehand, so the step waits for nothing.
    model = sk.build_regressor(opts.image_size, opts.channels, input_mode=opts.input_mode)
    model = sk.compile_regressor(model, opts.learning_rate)
    rendered = sk.CertificateStream(batch_size=batch, image_size=opts.image_size, seed=0)
    batches = [rendered[2 * 10**5 + b] for b in range(steps)]
    x, y = np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # traces the training step once
    t_mem = statistics.median(_timed(lambda: model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0),
                                     settings)) / steps
    figures = [Figure(f"training step of the default model ({w} x {h}, batch {batch}), batches in memory",
                      1000 * t_mem, "ms")]
    for kind, size in streams.items():
        stream = sk.CertificateStream(batch_size=batch, image_size=opts.image_size, seed=0, pool_size=size,
                                      workers=opts.workers, use_multiprocessing=opts.use_multiprocessing)
        for b in range(max(1, settings.warmup // batch)):
            stream[b]
        starts = iter(range(10**5, 10**9, 4))  # fresh batches in every run
        draws = _timed(lambda s=stream, i=starts: [s[b] for b in range(next(i), 10**9)[:4]], settings)
        t_stream = statistics.median(_timed(lambda s=stream: model.fit(s, epochs=1, steps_per_epoch=steps,
                                                                         shuffle=False, verbose=0), settings)) / steps
        waiting = max(0.0, 1 - t_mem / t_stream)
        is_default = kind == default
        figures += [
            Figure(f"Keras stream alone, {kind}", 4 * batch / statistics.median(draws), "img/s",
                   note="train.py's default" if is_default else ""),
            Figure(f"training step, {kind}", 1000 * t_stream, "ms",
                   note=f"workers={opts.workers}, use_multiprocessing={opts.use_multiprocessing}"),
            Figure(f"share of the step spent on data, {kind}", 100 * waiting, "%",
                   Target("<", 10, "< 10") if is_default else None, "1 - in-memory step / streamed step"),
        ]
    return figures


def _renewing_stand_in(settings: BenchSettings) -> list[Figure]:
    """A renewing pool with every core rendering in the background, served as Keras serves it (thread workers
    fetching up to ten batches ahead) to a step that only waits (a GPU step costs the CPU nothing): how many
    images per second it delivers, how much of the time the step waits for data (renders or their augmentation),
    what that costs per render core, and what a machine that never waits would need. Model-free: no TensorFlow."""
    from synthcert.training.options import TrainOptions
    from synthcert.training.renewing import KERAS_QUEUE, RenewingPool

    opts = TrainOptions()
    workers = settings.workers or default_workers()
    config = resolve_config(None, opts.image_size)
    batch, threads = opts.batch_size, settings.stand_in_threads
    pool = RenewingPool(16 * batch, 0, config, freshness=settings.freshness, workers=workers,
                        augment=opts.pool_augment)
    serving = []  # seconds per batch inside pool.batch, in its thread, not waiting for renders

    def serve(b: int) -> None:
        began, waited = time.perf_counter(), pool.stats.waited_s
        pool.batch(b, batch)
        serving.append(time.perf_counter() - began - (pool.stats.waited_s - waited))

    try:
        pool.batch(0, batch)  # the render processes start and warm up during the first pass
        first, last = 1, 1 + settings.stand_in_steps
        rendered, waiting = pool.stats.rendered, 0.0
        with ThreadPoolExecutor(threads) as executor:
            t0 = time.perf_counter()
            ahead = deque(executor.submit(serve, b) for b in range(first, min(first + KERAS_QUEUE, last)))
            following = first + len(ahead)
            while ahead:
                began = time.perf_counter()
                ahead.popleft().result()
                waiting += time.perf_counter() - began
                if following < last:
                    ahead.append(executor.submit(serve, following))
                    following += 1
                time.sleep(settings.stand_in_ms / 1000)
            seconds = time.perf_counter() - t0
        rendered = pool.stats.rendered - rendered
    finally:
        pool.close()
    images = settings.stand_in_steps * batch
    serve_ms = 1000 * statistics.median(serving)
    per_core = rendered / seconds / workers
    # Never waiting, the step takes a batch every stand-in step, and each sample is served F times. The per-core
    # rate is measured with every core rendering while the step waits (a lower bound where it does not wait).
    needed = batch / (settings.stand_in_ms / 1000) / settings.freshness
    processes = math.ceil(needed / per_core) if per_core > 0 else None
    label = (f"renewing pool, {workers} render processes, freshness {settings.freshness}, augment "
             f"{opts.pool_augment:g}, {threads} serving threads")
    return [
        Figure(f"{label}: images delivered to a {settings.stand_in_ms:g} ms stand-in step", images / seconds, "img/s",
               note=f"batch {batch} at {opts.image_size[0]} x {opts.image_size[1]}; "
                    f"{images / seconds / workers:,.0f} per render core"),
        Figure(f"{label}: share of the stand-in's time waiting for data", 100 * waiting / seconds, "%",
               note=f"renders or their augmentation; each sample served {pool.stats.serves_per_sample:.1f} times "
                    "so far"),
        Figure(f"{label}: fresh renders per second per render core", per_core, "img/s",
               note="what the stand-in needs: images delivered / freshness / cores"),
        Figure(f"{label}: serving a batch (gather, augment, renew), in its thread", serve_ms, "ms",
               note=f"median; {math.ceil(serve_ms / settings.stand_in_ms)} threads keep up with the step on free "
                    "cores"),
        Figure(f"render processes for the {settings.stand_in_ms:g} ms stand-in never to wait for renders", processes,
               "processes", Target("<", 17, "<= 16"),
               note=f"{needed:,.0f} fresh renders/s (batch / step / freshness) at the measured rate per core"),
    ]


def _timed(run, settings: BenchSettings) -> list[float]:
    times = []
    for _ in range(max(2, settings.runs // 2)):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return times


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux
        return None


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def _machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = ", ".join(f"{p} {v}" for p, v in library_versions().items())
    return {
        "cpu": f"{cpu}, {default_workers()} cores usable",
        "python": f"{platform.python_implementation()} {sys.version.split()[0]} on {platform.system()}",
        "libraries": versions,
        "load average at the start": _load(),
    }

