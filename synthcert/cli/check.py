"""`synthcert check`: a thin shell over `synthcert.datasets.check_dataset`; exit 1 when it finds a problem."""

from __future__ import annotations

from pathlib import Path

import click

from synthcert.datasets import FORMATS

EXIT_PROBLEMS = 1


def parse_categories(ctx, param, values) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, field = value.partition("=")
        if not sep or not name or not field:
            raise click.BadParameter(f"{value!r}; expected NAME=FIELD, e.g. plate=registration_number", ctx, param)
        pairs[name] = field
    return pairs


@click.command(short_help="Validate a dataset's images and labels.")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--format", type=click.Choice(FORMATS), help="Label format. [default: detected]")
@click.option("--category", "categories", multiple=True, callback=parse_categories, metavar="NAME=FIELD",
              help="Read label NAME (COCO category, YOLO class) as FIELD; repeatable.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def check(ctx, dataset, format, categories, quiet):
    """Check that every image in DATASET decodes and every label is usable: finite, 4 corners, visible
    corners inside the image, a non-degenerate quadrilateral in the order TL, TR, BR, BL.

    DATASET is a directory holding manifest.jsonl, a COCO keypoints file (coco.json, or annotations/*.json
    as CVAT exports it) or images/ with labels/ (YOLO-OBB), or the label file itself. Each problem is
    printed on one line, by file; the exit status is 1 when there is one.

    \b
    Examples:
      synthcert check data/train
      synthcert check cvat_export --category plate=registration_number
    """
    from synthcert.datasets import check_dataset

    report = check_dataset(dataset, format, categories, progress=not quiet)
    for problem in report.problems:
        click.echo(problem)
    verdict = f"{len(report.problems)} problem(s)" if report.problems else "no problems"
    click.echo(f"Checked {report.images} images and {report.labels} labels ({report.format}) in {report.root}: "
               f"{verdict}", err=True)
    if report.problems:
        ctx.exit(EXIT_PROBLEMS)
