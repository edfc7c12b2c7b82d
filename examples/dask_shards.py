"""Render one dataset as shards on a Dask cluster and merge them: the same files as a single run.

Users who need millions of images split a run into N shards (`synthcert render --shard K/N`), render each
on any machine and join them with `synthcert merge`. A sample is a pure function of (configuration, seed,
index), so where a shard runs never changes its bytes. Here each Dask task renders one shard with the
library call behind `synthcert render`; on a real cluster, point `Client` at the scheduler and `out` at
shared storage (or copy the shard directories together before merging).

    python examples/dask_shards.py --count 2000 --shards 8 --out /tmp/synthcert-shards
"""

from __future__ import annotations

import argparse
from pathlib import Path

from distributed import Client, LocalCluster

from synthcert.datasets import merge_datasets, render_dataset


def render_shard(out_dir: str, count: int, shard: tuple[int, int], seed: int = 0, config=None) -> str:
    """Renders shard `shard` = (k, n) of the run of `count` images into `out_dir`; one Dask task."""
    render_dataset(out_dir, count, config=config, seed=seed, shard=shard, workers=1, overwrite=True)
    return out_dir


def render_in_shards(client: Client, out: str | Path, count: int, shards: int, seed: int = 0, config=None) -> Path:
    """Renders `count` images as `shards` Dask tasks under `out`, merges them into `out/merged` and returns it."""
    out = Path(out)
    dirs = [str(out / f"shard-{k:03d}-of-{shards:03d}") for k in range(1, shards + 1)]
    futures = [client.submit(render_shard, d, count, (k, shards), seed, config, pure=False)
               for k, d in enumerate(dirs, start=1)]
    return merge_datasets(client.gather(futures), out / "merged", overwrite=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="images in the whole run")
    parser.add_argument("--shards", type=int, default=8, help="shards (Dask tasks)")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes of the local cluster")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="synthcert-shards", help="directory for the shards and the merged run")
    args = parser.parse_args()
    # One thread per worker: a shard renders in a single Python thread, so more would only contend.
    with LocalCluster(n_workers=args.workers, threads_per_worker=1) as cluster, Client(cluster) as client:
        merged = render_in_shards(client, args.out, args.count, args.shards, args.seed)
    print(f"merged {args.shards} shards of {args.count} images into {merged}")


if __name__ == "__main__":
    main()
