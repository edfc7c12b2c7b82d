"""Joining the shard directories of one render run into one dataset: `merge_datasets`.

Job stage: it copies images and rewrites the label files from the shards' own labels (read back bit
for bit from manifest.jsonl, else coco.json), so the result is byte-identical to rendering the run at
once. It never renders and refuses shards of different runs, overlapping shards and missing shards.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from pathlib import Path

from synthcert.datasets.dataset import BY_RANK, read_dataset, write_annotations
from synthcert.datasets.layout import IMAGE_DIR, INFO_FILE, LABEL_DIR, DatasetInfo, atomic_write, prepare_output_dir
from synthcert.errors import ConfigError, DatasetError


def merge_datasets(shard_dirs: Sequence[str | Path], out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Merges all n shards of one run (rendered with `shard=(k, n)`, k = 1 .. n) into `out_dir`.

    Args:
        shard_dirs: the shard directories, in any order.
        out_dir: the merged dataset's directory; refused if not empty unless `overwrite`.
        overwrite: replace the dataset in a non-empty `out_dir`.

    Returns:
        The merged dataset directory.

    Raises:
        DatasetError: a directory is not a finished shard, shards differ in their run, overlap or leave a gap.
    """
    dirs = [Path(d) for d in shard_dirs]
    if not dirs:
        raise ConfigError("no shard directories given; pass every shard of the run", field="shards")
    if any(Path(out_dir).resolve() == d.resolve() for d in dirs):
        raise DatasetError("is one of the shards; merge into a new directory", out_dir)
    infos = [DatasetInfo.read(d) for d in dirs]
    run = _same_run(dirs, infos)
    root = prepare_output_dir(out_dir, overwrite)
    source = next((f.name for f in BY_RANK if f.complete and f.name in run.formats), None)
    records = []
    for d, _ in sorted(zip(dirs, infos, strict=True), key=lambda pair: pair[1].shard[0]):
        for sub in (IMAGE_DIR,) if source else (IMAGE_DIR, LABEL_DIR):
            shutil.copytree(d / sub, root / sub, dirs_exist_ok=True)
        if source:
            samples = read_dataset(d, source)
            records += [samples.record(i) for i in range(len(samples))]
    if source:
        write_annotations(sorted(records, key=lambda r: r.index), root, run)
    else:
        atomic_write(root / INFO_FILE, run.to_yaml())
    return root


def _same_run(dirs: list[Path], infos: list[DatasetInfo]) -> DatasetInfo:
    """Returns the whole run the shards belong to; a DatasetError unless they are exactly its n shards."""
    run = dataclasses.replace(infos[0], shard=None)
    for d, info in zip(dirs, infos, strict=True):
        if info.shard is None:
            raise DatasetError("has no shard; it is a whole run already", d / INFO_FILE, "shard")
        for f in dataclasses.fields(DatasetInfo):
            if f.name != "shard" and getattr(info, f.name) != getattr(run, f.name):
                raise DatasetError(f"differs from {dirs[0] / INFO_FILE}; shards of one run share seed, count, "
                                   "templates, configuration, formats and library versions", d / INFO_FILE, f.name)
    n = infos[0].shard[1]
    given = sorted(f"{info.shard[0]}/{info.shard[1]}" for info in infos)
    expected = [f"{k}/{n}" for k in range(1, n + 1)]
    if given != expected:
        missing = sorted(set(expected) - set(given))
        raise DatasetError(f"shards {given} given; expected each of {expected} once (missing {missing}); "
                           "pass every shard exactly once", field="shards")
    return run
