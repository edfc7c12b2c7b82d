"""Where the shipped templates and fonts live, in a source checkout and in an installed wheel.

The repository keeps them at the top level (`templates/`, `fonts/`); the wheel carries them inside the
package as `synthcert/templates` and `synthcert/fonts` (pyproject.toml maps them there). This is the one
place that knows both.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """Returns the directory of the shipped `templates` or `fonts`.

    Example:
        >>> (shipped_dir("fonts") / "OCRB.otf").is_file()
        True
    """
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name
