"""Errors that users see: each names where the problem is, what was found, what was expected and the fix."""

from __future__ import annotations


class SynthcertError(ValueError):
    """Base class of every error caused by user input; the CLI prints it as one line and exits with 2.

    Args:
        message: what was received, what was expected and how to fix it.
        path: the file or directory the problem is in, if any.
        field: the dotted key inside that file (e.g. `fields.vin.box`), if any.
    """

    def __init__(self, message: str, path: str | None = None, field: str | None = None):
        self.path = None if path is None else str(path)
        self.field = field
        where = ": ".join(part for part in (self.path, field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class TemplateError(SynthcertError):
    """A template directory or its spec file is invalid."""


class ConfigError(SynthcertError):
    """A render configuration (file or arguments) is invalid."""


class DatasetError(SynthcertError):
    """A dataset on disk is missing, unreadable or has invalid labels."""
