"""`synthcert merge`: a thin shell over `synthcert.datasets.merge_datasets`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(short_help="Join the shards of one render run.")
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="Merged dataset directory to create.")
@click.option("--overwrite", is_flag=True, help="Replace the dataset in a non-empty DIR.")
def merge(shards, out_dir, overwrite):
    """Join the shard directories of one run (`render --shard K/N`, K = 1..N) into DIR.

    The result is byte-identical to rendering the whole run at once. Shards of different runs,
    overlapping shards and missing shards are refused.

    \b
    Example:
      synthcert merge part1 part2 part3 part4 -o data/train
    """
    from synthcert.datasets import merge_datasets

    root = merge_datasets(shards, out_dir, overwrite=overwrite)
    click.echo(f"Merged {len(shards)} shards into {root}", err=True)
