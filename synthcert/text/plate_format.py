"""A registration-number format: weighted templates over a table of symbols, drawn from a numpy Generator.

The data (each country's format) is in :mod:`synthcert.text.plates` and :mod:`synthcert.text.plates_world`;
this module only says how a format is written and drawn. No global randomness.
"""

from __future__ import annotations

import string
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np

_LITERALS = frozenset(" -.·/")
_DEFAULT_SYMBOLS: dict[str, tuple[str, ...]] = {
    "L": tuple(string.ascii_uppercase),  # letter of the plate alphabet
    "D": tuple(string.digits),  # digit
    "N": tuple("123456789"),  # non-zero digit
}


def letters(excluded: str) -> tuple[str, ...]:
    """The uppercase ASCII letters without ``excluded``."""
    return tuple(c for c in string.ascii_uppercase if c not in excluded)


@dataclass(frozen=True)
class PlateFormat:
    """A country's plate format: weighted templates over a symbol table.

    Attributes:
        templates: ``(template, weight)`` pairs. In a template, a symbol character is replaced by one
            uniformly drawn entry of its table; spaces, hyphens, dots, middle dots and slashes are literal.
        symbols: symbol character -> possible replacements, added to the defaults ``L`` (letter A-Z),
            ``D`` (digit) and ``N`` (digit 1-9), which a country may override.
    """

    templates: tuple[tuple[str, float], ...]
    symbols: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        table = {**_DEFAULT_SYMBOLS, **self.symbols}
        for template, weight in self.templates:
            bad = set(template) - set(table) - _LITERALS
            if bad or weight <= 0:
                raise ValueError(f"bad plate template {template!r}: unknown symbols {sorted(bad)}")
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_cum", tuple(accumulate(w for _, w in self.templates)))
        object.__setattr__(self, "_max_len", max(len(t) for t, _ in self.templates))

    def draw(self, rng: np.random.Generator) -> str:
        """Draw one plate; consumes exactly one ``rng.random`` call."""
        u = rng.random(self._max_len + 1).tolist()
        k = min(bisect_right(self._cum, u[0] * self._cum[-1]), len(self._cum) - 1)
        table = self._table
        out = []
        for ch, x in zip(self.templates[k][0], u[1:], strict=False):
            choices = table.get(ch)
            out.append(ch if choices is None else choices[int(x * len(choices))])
        return "".join(out)
