"""Reading the YAML files users write: render configurations, template.yaml, fields files and dataset.yaml.

The one place that turns an unreadable file or a syntax error into a one-line error naming the file
(and the line and column); what the content must look like is checked by the caller.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from synthcert.errors import SynthcertError


def read_yaml(path: str | Path, error: type[SynthcertError] = SynthcertError, expected: str | None = None):
    """Returns the content of a YAML file: None when it is empty, else what `yaml.safe_load` gives.

    Args:
        path: the file.
        error: the SynthcertError subclass to raise, e.g. ConfigError for a render configuration.
        expected: if given, the content must be a mapping, and this describes it in the error.

    Raises:
        error: the file cannot be read, is not UTF-8 text, is not valid YAML, or is not the mapping expected.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "bad.yaml"
        >>> _ = path.write_text("scene: [1, 2")
        >>> try:
        ...     read_yaml(path)
        ... except SynthcertError as e:
        ...     print(str(e).removeprefix(f"{path}: "))
        is not valid YAML (expected ',' or ']', but got '<stream end>' at line 1, column 13); fix the syntax
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise error(f"cannot read ({e.strerror}); give an existing YAML file", path) from None
    except UnicodeDecodeError:
        raise error("is not UTF-8 text; give a YAML file", path) from None
    except yaml.YAMLError as e:
        raise error(f"is not valid YAML ({_one_line(e)}); fix the syntax", path) from None
    if expected is not None and not isinstance(data, dict):
        raise error(f"= {data!r}; expected {expected}", path)
    return data


def _one_line(e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None)
    if getattr(e, "problem", None) and mark is not None:
        return f"{e.problem} at line {mark.line + 1}, column {mark.column + 1}"
    return " ".join(str(e).split())
