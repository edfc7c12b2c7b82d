"""Rendering a dataset to disk in parallel: the job behind `synthcert render`.

Job stage: it hands out indices and gathers labels; what a sample looks like is the Renderer's business
and how labels are spelled is the format modules'. Sample i is `Renderer.render(i, seed)`, whoever
renders it, so the files do not depend on the number of workers or on how indices are chunked.

A process pool (`concurrent.futures` over `multiprocessing`, spawn start method, so it behaves the same
on every OS and a dead worker raises instead of hanging) gets contiguous chunks of indices; each worker
builds its own Renderer once, runs OpenCV single-threaded, writes its images (atomically) and returns
their labels. The parent sorts the labels by index and writes the label files and finally dataset.yaml,
each atomically. Workers ignore SIGINT: on Ctrl-C the parent drops the queued chunks, waits for the
running ones (at most 16 images per worker) and re-raises KeyboardInterrupt; the directory then has
whole images but no label files and no dataset.yaml.

Shards: `shard=(k, n)` renders the k-th (1-based) of n contiguous blocks of the run's indices,
`start + floor((k-1) * count / n)` up to `start + floor(k * count / n)`, so the n shards together
cover every index exactly once. Image names use global indices, and `merge_datasets` joins the
shard directories into a directory byte-identical to rendering the run at once.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import cv2
from tqdm import tqdm

from synthcert.config import RenderConfig, resolve_config
from synthcert.datasets.dataset import FORMATS, check_formats, write_annotations
from synthcert.datasets.layout import (
    DatasetInfo,
    atomic_write,
    encode_image,
    image_file,
    library_versions,
    prepare_output_dir,
    synthcert_version,
)
from synthcert.datasets.records import LabelRecord
from synthcert.errors import ConfigError, SynthcertError
from synthcert.pipeline import Renderer

CHUNKS_PER_WORKER = 8  # enough to balance uneven workers, few enough to keep the overhead small
MAX_CHUNK = 16  # Ctrl-C waits for each worker's current chunk


@dataclass(frozen=True)
class RenderSummary:
    """What `render_dataset` did: `indices` were rendered into `out_dir` in `seconds`."""

    out_dir: Path
    indices: range
    seed: int
    workers: int
    seconds: float

    @property
    def images_per_s(self) -> float:
        return len(self.indices) / max(self.seconds, 1e-9)


def shard_indices(start: int, count: int, shard: tuple[int, int] = (1, 1)) -> range:
    """Returns the indices of shard k of n (1-based) of the run `start .. start + count - 1`: a contiguous block.

    Example:
        >>> [list(shard_indices(10, 5, (k, 2))) for k in (1, 2)]
        [[10, 11], [12, 13, 14]]
    """
    k, n = shard
    if not (isinstance(k, int) and isinstance(n, int) and 1 <= k <= n):
        raise ConfigError(f"= {k}/{n}; expected K/N with 1 <= K <= N, e.g. 2/4 for the second of four", field="shard")
    return range(start + (k - 1) * count // n, start + k * count // n)


def default_workers() -> int:
    """Returns the number of CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_dataset(
    out_dir: str | Path,
    count: int,
    *,
    templates: Sequence[str | Path] | None = None,
    config: RenderConfig | str | Path | None = None,
    seed: int = 0,
    start: int = 0,
    shard: tuple[int, int] = (1, 1),
    workers: int | None = None,
    formats: Sequence[str] = FORMATS,
    image_format: str = "jpg",
    overwrite: bool = False,
    progress: bool = False,
) -> RenderSummary:
    """Renders samples start .. start + count - 1 (or one shard of them) into a dataset directory.

    Args:
        out_dir: the dataset directory; created if needed, refused if not empty unless `overwrite`.
        count: how many samples the whole run has (all shards together).
        templates: template directories; None for the built-in ones.
        config: a RenderConfig, a YAML file (a dataset.yaml too), or None for the defaults.
        seed: the dataset's seed; with the same seed, config and templates the files are byte-identical.
        start: the first index of the run.
        shard: (k, n) to render only the k-th of n contiguous blocks (see the module docstring).
        workers: processes; None for every core, 1 to render in this process.
        formats: label formats, any of coco, yolo-obb, jsonl.
        image_format: jpg (quality 95) or png.
        overwrite: replace the dataset in a non-empty `out_dir`.
        progress: show a progress bar with rate and time left on stderr.

    Returns:
        A RenderSummary.

    Raises:
        ConfigError: a bad count, seed, start, shard, workers, format, template or configuration.
        DatasetError: `out_dir` is not empty or not writable.

    Example:
        >>> s = render_dataset("/tmp/tiny", 4, config=resolve_config(image_size_wh=(96, 64)), workers=1,
        ...                    overwrite=True)
        >>> sorted(p.name for p in s.out_dir.iterdir())
        ['coco.json', 'dataset.yaml', 'images', 'labels', 'manifest.jsonl']
    """
    for name, value, low in (("count", count, 1), ("seed", seed, 0), ("start", start, 0), ("workers", workers, 1)):
        if value is not None and (not isinstance(value, int) or value < low):
            raise ConfigError(f"= {value!r}; expected an integer >= {low}", field=name)
    formats = check_formats(formats, image_format)
    indices = shard_indices(start, count, shard)
    renderer = Renderer(templates, resolve_config(config))  # fails here, not in the workers, on bad input
    names = tuple(sorted({name for spec in renderer.specs for name in spec.fields}))
    root = prepare_output_dir(out_dir, overwrite)
    job = _Job(renderer.template_dirs, renderer.config, seed, str(root), start + count - 1, image_format)
    workers = min(workers or default_workers(), max(1, len(indices)))
    began = time.perf_counter()
    records = _run(job, renderer, _chunks(indices, workers), workers, progress)
    info = DatasetInfo(
        names=names, formats=formats, image_format=image_format, synthcert_version=synthcert_version(),
        seed=seed, start=start, count=count, shard=None if shard[1] == 1 else tuple(shard),
        templates=None if templates is None else tuple(str(t) for t in templates),
        config=renderer.config.to_dict(), libraries=library_versions(),
    )
    write_annotations(sorted(records, key=lambda r: r.index), root, info)
    return RenderSummary(root, indices, seed, workers, time.perf_counter() - began)


@dataclass(frozen=True)
class _Job:
    """What a worker needs to render and save any index: small and picklable."""

    template_dirs: list[Path]
    config: RenderConfig
    seed: int
    root: str
    last_index: int
    image_format: str


_worker: tuple[_Job, Renderer] | None = None


def _chunks(indices: range, workers: int) -> list[range]:
    size = max(1, min(MAX_CHUNK, math.ceil(len(indices) / (workers * CHUNKS_PER_WORKER))))
    return [indices[i:i + size] for i in range(0, len(indices), size)]


def _run(job: _Job, renderer: Renderer, chunks: list[range], workers: int, progress: bool) -> list[LabelRecord]:
    records: list[LabelRecord] = []
    with tqdm(total=sum(map(len, chunks)), unit="img", disable=not progress, smoothing=0.1) as bar:
        if workers == 1:
            for chunk in chunks:
                records += _render_chunk(chunk, job, renderer)
                bar.update(len(chunk))
            return records
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(job,))
        try:
            for future in as_completed([pool.submit(_render_in_worker, chunk) for chunk in chunks]):
                done = future.result()
                records += done
                bar.update(len(done))
        except BrokenProcessPool as e:
            raise RuntimeError(
                "a rendering worker process died: out of memory or killed, or it could not import the main "
                "script (spawned workers re-import it; guard it with `if __name__ == '__main__':`, or pass "
                "workers=1 to render in this process)"
            ) from e
        finally:  # on an error or Ctrl-C: drop the queued chunks, let each worker finish its current one
            pool.shutdown(wait=True, cancel_futures=True)
    return records


def _init_worker(job: _Job) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    cv2.setNumThreads(1)
    _worker = (job, Renderer(job.template_dirs, job.config))


def _render_in_worker(chunk: range) -> list[LabelRecord]:
    return _render_chunk(chunk, *_worker)


def _render_chunk(chunk: range, job: _Job, renderer: Renderer) -> list[LabelRecord]:
    records = []
    for index in chunk:
        try:
            sample = renderer.render(index, job.seed)
        except SynthcertError as e:
            raise type(e)(f"sample {index} (seed {job.seed}): {e}") from None
        file = image_file(index, job.last_index, job.image_format)
        atomic_write(Path(job.root) / file, encode_image(sample.image, job.image_format))
        records.append(LabelRecord.from_sample(sample, file))
    return records
