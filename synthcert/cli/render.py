"""`synthcert render`: a thin shell over `synthcert.datasets.render_dataset`; also the options shared with preview."""

from __future__ import annotations

import re
from pathlib import Path

import click

from synthcert.config import PRESETS
from synthcert.datasets import FORMATS, IMAGE_FORMATS, render_dataset


class SizeType(click.ParamType):
    """An image size written WxH, e.g. 384x256."""

    name = "WxH"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", str(value))
        if not match:
            self.fail(f"{value!r}; expected WIDTHxHEIGHT in pixels, e.g. 384x256", param, ctx)
        return int(match[1]), int(match[2])


def parse_formats(ctx, param, values) -> tuple[str, ...]:
    """Splits repeated and comma-separated --format values; all formats when none is given."""
    formats = tuple(f.strip() for v in values for f in v.split(",") if f.strip()) or FORMATS
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}; expected any of {', '.join(FORMATS)}", ctx, param)
    return formats


def parse_shard(ctx, param, value) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise click.BadParameter(f"{value!r}; expected K/N with 1 <= K <= N, e.g. 2/4 for the second of four",
                                 ctx, param)
    return int(match[1]), int(match[2])


def render_options(command):
    """Adds the options that choose what is rendered: templates, configuration, seed, size, augmentation."""
    options = [
        click.option("--template", "templates", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
                     help="Template directory; repeat for several. [default: the built-in templates]"),
        click.option("--config", type=click.Path(path_type=Path), metavar="FILE",
                     help="Render configuration YAML, or a dataset's dataset.yaml to reproduce it."),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Dataset seed: sample i is a pure function of (seed, i)."),
        click.option("--image-size", type=SizeType(), help="Output size, e.g. 384x256. [default: 384x256]"),
        click.option("--augment", type=click.Choice(PRESETS),
                     help="Photometric effects preset. [default: the configuration's, default]"),
        click.option("--start", type=click.IntRange(min=0), default=0, show_default=True,
                     help="First sample index."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command(short_help="Render a dataset of labelled photos.")
@click.option("-n", "--count", type=click.IntRange(min=1), required=True,
              help="Images in the run (all shards together).")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="Dataset directory to create.")
@render_options
@click.option("--workers", type=click.IntRange(min=1), help="Processes. [default: all cores]")
@click.option("--format", "formats", multiple=True, callback=parse_formats, metavar="FORMAT",
              help="Label formats: coco, yolo-obb, jsonl; repeat or comma-separate. [default: all]")
@click.option("--image-format", type=click.Choice(IMAGE_FORMATS), default="jpg", show_default=True,
              help="Image file format (jpg: a photo whose last effect is a JPEG is that file, others quality 95).")
@click.option("--shard", default="1/1", callback=parse_shard, metavar="K/N",
              help="Render only the K-th of N contiguous blocks of indices; join them with `synthcert merge`.")
@click.option("--overwrite", is_flag=True, help="Replace the dataset in a non-empty DIR.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def render(count, out_dir, templates, config, seed, image_size, augment, start, workers, formats, image_format,
           shard, overwrite, quiet):
    """Render COUNT labelled photos into DIR: images/, labels/, coco.json, manifest.jsonl, dataset.yaml.

    Sample i is rendered from (seed, i) alone, so the files are byte-identical whatever --workers, and
    shards rendered on different machines merge into exactly the one-run dataset.

    \b
    Examples:
      synthcert render -n 5000 -o data/train
      synthcert render -n 500 -o data/val --seed 1 --image-size 512x512 --augment heavy
      synthcert render -n 100000 -o part2 --shard 2/4          # on the second of four machines
    """
    from synthcert.config import resolve_config

    config = resolve_config(config, image_size, augment)
    try:
        summary = render_dataset(
            out_dir, count, templates=templates or None, config=config,
            seed=seed, start=start, shard=shard, workers=workers, formats=formats, image_format=image_format,
            overwrite=overwrite, progress=not quiet,
        )
    except KeyboardInterrupt:  # the one line the command line prints for it
        raise KeyboardInterrupt(f"interrupted; {out_dir}: the partial run was removed, the directory is as it "
                                "was") from None
    first, last = summary.indices.start, summary.indices.stop - 1
    click.echo(f"Wrote images {first}..{last} (seed {seed}) and {', '.join(formats)} labels to {summary.out_dir} "
               f"in {summary.seconds:.1f} s ({summary.images_per_s:.1f} images/s on {summary.workers} workers)",
               err=True)
