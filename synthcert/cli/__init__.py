"""The `synthcert` command line: a click group of thin commands.

Shell stage: a command parses its arguments, calls one library function and turns errors into exit
codes; it holds no logic and imports no TensorFlow (a command that needs Keras imports it inside its
function). Exit codes: 0 success, 1 `check` found problems, 2 bad input (a usage error or a
SynthcertError, printed as one line without a traceback), 130 interrupted with Ctrl-C. Any other
exception is a bug and keeps its traceback.

Adding a command: write `synthcert/cli/<name>.py` with a click command, import it below and register it
with one `main.add_command(...)` line.
"""

from __future__ import annotations

import sys

import click

from synthcert import __version__
from synthcert.cli.bench import bench
from synthcert.cli.check import check
from synthcert.cli.merge import merge
from synthcert.cli.model import evaluate, predict
from synthcert.cli.preview import preview
from synthcert.cli.render import render
from synthcert.cli.template import template
from synthcert.errors import SynthcertError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2; older click exits 0 itself


class SynthcertGroup(click.Group):
    """A click group that prints every user error as one line on stderr, never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as e:
            click.echo(e.format_message())
            code = 0
        except click.UsageError as e:
            hint = f" (see '{e.ctx.command_path} --help')" if e.ctx else ""
            code = _fail(f"{e.format_message()}{hint}", e.exit_code)
        except click.ClickException as e:
            code = _fail(e.format_message(), e.exit_code)
        except SynthcertError as e:
            code = _fail(str(e), EXIT_USER_ERROR)
        except (click.Abort, KeyboardInterrupt) as e:
            cause = e.__cause__ if isinstance(e, click.Abort) else e  # click turns Ctrl-C into Abort from it
            said = str(cause) if isinstance(cause, KeyboardInterrupt) else ""
            code = _fail(said or "interrupted", EXIT_INTERRUPTED)
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int) -> int:
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    return code


@click.group(cls=SynthcertGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="synthcert")
def main():
    """Synthetic photos of vehicle registration certificates with exact corner labels.

    \b
    Render a dataset, look at it and check it:
      synthcert render -n 5000 -o data/train
      synthcert preview data/train -o preview.png
      synthcert check data/train

    \b
    Make a template from a photo, train (python train.py), then use the model:
      synthcert template init photo.jpg --fields fields.yaml -o my-template
      synthcert eval runs/default/best.keras data/val
      synthcert predict runs/default/best.keras photo.jpg --draw drawn/ --crop crops/

    `check` and `preview` also read real datasets exported from CVAT or Label Studio. Every label is
    the four corners TL, TR, BR, BL of the printed text as read, in pixel coordinates where the image
    spans [0, W] x [0, H]. See docs/datasets.md.
    """


main.add_command(render)
main.add_command(preview)
main.add_command(check)
main.add_command(merge)
main.add_command(evaluate)
main.add_command(predict)
main.add_command(template)
main.add_command(bench)
