"""Shards rendered as Dask tasks merge into exactly the files of one run (examples/dask_shards.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("distributed")

from distributed import Client, LocalCluster  # noqa: E402

from examples.dask_shards import render_in_shards  # noqa: E402
from synthcert.config import resolve_config  # noqa: E402
from synthcert.datasets import render_dataset  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_shards_rendered_on_a_dask_cluster_merge_into_the_bytes_of_one_run(tmp_path):
    config = resolve_config(image_size_wh=(96, 64))
    single = render_dataset(tmp_path / "single", 10, config=config, seed=3, workers=1).out_dir
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        merged = render_in_shards(client, tmp_path / "dask", 10, 3, seed=3, config=config)
    assert _files(merged) == _files(single)
    assert len([f for f in _files(merged) if f.startswith("images/")]) == 10
