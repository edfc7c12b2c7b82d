"""`synthcert bench`: a thin shell over `synthcert.benchmark.run_benchmark`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from synthcert.cli.render import SizeType
from synthcert.config import PRESETS


@click.command(short_help="Measure rendering speed and memory.")
@click.option("--image-size", type=SizeType(), default="384x256", show_default=True, help="Output size.")
@click.option("--augment", "preset", type=click.Choice(PRESETS), default="default", show_default=True,
              help="Photometric effects preset.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Processes for the parallel run to disk. [default: all cores]")
@click.option("--disk-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where the runs to disk write, e.g. /dev/shm to leave storage out. [default: the system's temp]")
@click.option("--memory-samples", type=click.IntRange(min=1), metavar="N",
              help="Samples streamed while watching the resident set, e.g. 100000 for the target's own count "
                   "(about 10 minutes); under 20000 the target is not judged. [default: 20000; 2000 with --quick]")
@click.option("--keras", is_flag=True, help="Also measure the Keras stream and training steps (imports TensorFlow).")
@click.option("--quick", is_flag=True, help="Shorter, rougher runs (about a minute).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), metavar="FILE",
              help="Also write the figures as JSON.")
def bench(image_size, preset, workers, disk_dir, memory_samples, keras, quick, json_path):
    """Measure images per second of the renderer (in memory and per stage), of `render` to disk with one
    and with all workers, and of the Keras stream; and the memory used. Prints a Markdown table of
    medians over several runs, with the issue's targets.

    \b
    Example:
      synthcert bench --keras
    """
    # Imported here: the benchmark's hand-written baseline imports albumentations, a second of every command's start.
    from synthcert.benchmark import BenchSettings, run_benchmark

    changes = {"image_size_wh": image_size, "preset": preset, "workers": workers, "keras": keras,
               "disk_dir": disk_dir}
    if memory_samples is not None:
        changes["memory_samples"] = memory_samples
    settings = BenchSettings.quick(**changes) if quick else BenchSettings(**changes)
    report = run_benchmark(settings, log=lambda line: click.echo(f"... {line}", err=True))
    click.echo(report.to_markdown())
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_dict(), indent=2))
