"""`synthcert preview`: a thin shell over `synthcert.preview.write_preview`, fed by the Renderer or a dataset."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from synthcert.cli.render import render_options
from synthcert.datasets import FORMATS
from synthcert.samples import TARGET


@click.command(short_help="Draw labelled samples on a contact sheet.")
@click.argument("dataset", required=False, type=click.Path(path_type=Path))
@click.option("-n", "--count", type=click.IntRange(min=1), default=16, show_default=True, help="Samples to draw.")
@click.option("-o", "--out", type=click.Path(path_type=Path), default="preview.png", show_default=True,
              help="Contact sheet to write (.png or .jpg).")
@click.option("--columns", type=click.IntRange(min=1), help="Tiles per row. [default: a near-square grid]")
@click.option("--format", type=click.Choice(FORMATS), help="Label format of DATASET. [default: detected]")
@click.option("--target-only", is_flag=True, help="Draw only the target field's label (labels.target of --config; "
              "registration_number for a dataset) on cards with many fields.")
@render_options
def preview(dataset, count, out, columns, format, target_only, templates, config, seed, image_size, augment, start):
    """Draw every label of COUNT samples on one image: the quadrilateral, a disc on its first corner
    (top-left of the text as read), the corner numbers and the text; the registration number in red.

    Without DATASET the samples are rendered (with the same options as `render`); with it they are read
    from that dataset directory, from sample --start on.

    \b
    Examples:
      synthcert preview -n 16 -o preview.png --augment heavy
      synthcert preview data/train -n 32 -o train.png
      synthcert preview -n 8 --template my-template --target-only
    """
    from synthcert.config import resolve_config
    from synthcert.datasets import read_dataset
    from synthcert.pipeline import Renderer
    from synthcert.preview import write_preview

    if dataset is not None:
        if templates or config or image_size or augment:
            raise click.UsageError("--template, --config, --image-size and --augment apply to rendering; "
                                   "drop them or DATASET")
        chosen, target = list(read_dataset(dataset, format)[start:start + count]), TARGET
    else:
        renderer = Renderer(templates or None, resolve_config(config, image_size, augment))
        chosen, target = [renderer.render(i, seed) for i in range(start, start + count)], renderer.target
    if target_only:
        chosen = [dataclasses.replace(s, fields={target: s.fields[target]}) for s in chosen]
    path = write_preview(chosen, out, columns)
    click.echo(f"Wrote {len(chosen)} samples to {path}", err=True)
