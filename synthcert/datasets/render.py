"""Rendering a dataset to disk in parallel: the job behind `synthcert render`.

Job stage: it hands out indices and gathers labels; what a sample looks like is the Renderer's business
and how labels are spelled is the format modules'. Sample i is `Renderer.render(i, seed)`, whoever
renders it, so the files do not depend on the number of workers or on how indices are chunked.

The samples are rendered by `synthcert.workers.run_chunks` (spawned processes, one Renderer each, or this
process with one worker) in contiguous chunks; each chunk's images and labels are written where it was
rendered. Everything goes first into a hidden staging folder inside `out_dir` and is moved into place
only when the whole run succeeded (with `overwrite`, the old dataset is removed only then): a run that
fails or is interrupted (Ctrl-C: queued chunks are dropped, running ones finish, at most 16 images per
worker) removes its staging folder and leaves `out_dir` as it was, and the error says so.

Shards: `shard=(k, n)` renders the k-th (1-based) of n contiguous blocks of the run's indices,
`start + floor((k-1) * count / n)` up to `start + floor(k * count / n)`, so the n shards together
cover every index exactly once. Image names use global indices, and `merge_datasets` joins the
shard directories into a directory byte-identical to rendering the run at once.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from synthcert.config import RenderConfig, resolve_config
from synthcert.datasets.dataset import FORMATS, annotation_parts, check_formats, join_annotations
from synthcert.datasets.layout import (
    IMAGE_DIR,
    DatasetInfo,
    encode_image,
    image_file,
    library_versions,
    prepare_output_dir,
    synthcert_version,
    write_new,
)
from synthcert.datasets.records import LabelRecord
from synthcert.errors import ConfigError, SynthcertError
from synthcert.pipeline import Renderer
from synthcert.workers import run_chunks

STAGE_PREFIX = ".rendering-"  # + the process id: the staging folder inside the output directory
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
        image_format: jpg or png; a jpg image is the photo's own JPEG file when its last effect was a JPEG
            (it decodes to exactly the rendered pixels), else the photo at quality 95.
        overwrite: replace the dataset in a non-empty `out_dir`.
        progress: show a progress bar with rate and time left on stderr.

    Returns:
        A RenderSummary.

    Raises:
        ConfigError: a bad count, seed, start, shard, workers, format, template or configuration.
        DatasetError: `out_dir` is not empty or not writable.

    Example:
        >>> import tempfile
        >>> s = render_dataset(tempfile.mkdtemp(), 4, config=resolve_config(image_size_wh=(96, 64)), workers=1)
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
    info = DatasetInfo(
        names=names, formats=formats, image_format=image_format, synthcert_version=synthcert_version(),
        seed=seed, start=start, count=count, shard=None if shard[1] == 1 else tuple(shard),
        templates=None if templates is None else tuple(str(t) for t in templates),
        config=renderer.config.to_dict(), libraries=library_versions(),
    )
    root = Path(out_dir)
    existed, had_images = root.exists(), (root / IMAGE_DIR).exists()
    if not (overwrite and root.is_dir()):  # refuses a file or a non-empty directory; deletes nothing
        prepare_output_dir(root, overwrite)
    stage = prepare_output_dir(root / f"{STAGE_PREFIX}{os.getpid()}", overwrite=False)
    workers = min(workers or default_workers(), max(1, len(indices)))
    job = _Job(seed, str(stage), start + count - 1, image_format, info)
    began = time.perf_counter()
    try:
        join_annotations(_render(job, renderer, _chunks(indices, workers), workers, progress), stage, info)
    except BaseException as e:
        shutil.rmtree(stage, ignore_errors=True)
        if not existed:
            shutil.rmtree(root, ignore_errors=True)
        elif not had_images and (root / IMAGE_DIR).is_dir() and not any((root / IMAGE_DIR).iterdir()):
            (root / IMAGE_DIR).rmdir()
        if isinstance(e, SynthcertError):
            unchanged = "its dataset is unchanged" if overwrite and existed else "nothing was written"
            raise type(e)(f"{e}; {root}: {unchanged}") from None
        raise
    _publish(stage, root, overwrite)
    return RenderSummary(root, indices, seed, workers, time.perf_counter() - began)


@dataclass(frozen=True)
class _Job:
    """What the task needs to render and save any index, besides the Renderer: small and picklable."""

    seed: int
    root: str
    last_index: int
    image_format: str
    info: DatasetInfo


def _chunks(indices: range, workers: int) -> list[range]:
    size = max(1, min(MAX_CHUNK, math.ceil(len(indices) / (workers * CHUNKS_PER_WORKER))))
    return [indices[i:i + size] for i in range(0, len(indices), size)]


def _render(job: _Job, renderer: Renderer, chunks: list[range], workers: int, progress: bool) -> list[dict]:
    """Renders the chunks; returns their label parts in chunk order."""
    parts = {}
    with tqdm(total=sum(map(len, chunks)), unit="img", disable=not progress, smoothing=0.1) as bar:
        for k, part in run_chunks(_render_chunk, chunks, renderer.template_dirs, renderer.config, workers, job,
                                  renderer):
            parts[k] = part
            bar.update(len(chunks[k]))
    return [parts[k] for k in range(len(chunks))]


def _publish(stage: Path, root: Path, overwrite: bool) -> None:
    """Moves a finished run from its staging folder into `root`, replacing the old dataset only now."""
    if overwrite:
        prepare_output_dir(root, overwrite=True)
    for item in stage.iterdir():
        target = root / item.name
        if target.is_dir():
            target.rmdir()  # the empty images/ made when the directory was checked
        os.replace(item, target)
    stage.rmdir()


def _render_chunk(renderer: Renderer, chunk: range, job: _Job) -> dict[str, object]:
    """Renders and saves a chunk's images, writes what of its labels can be written alone, returns the rest."""
    records = []
    for index in chunk:
        try:
            trace = renderer.trace(index, job.seed)
        except SynthcertError as e:
            raise type(e)(f"sample {index} (seed {job.seed}): {e}") from None
        file = image_file(index, job.last_index, job.image_format)
        # A photo whose last effect was a JPEG is stored as that file, never decoded: compressing it again would
        # change pixels.
        jpeg = trace.jpeg if job.image_format == "jpg" else None
        write_new(Path(job.root) / file, jpeg or encode_image(trace.sample.image, job.image_format))
        records.append(LabelRecord.from_sample(trace, file))
    return annotation_parts(records, Path(job.root), job.info)
