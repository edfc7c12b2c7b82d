"""The card's own style: which fields are printed alike, in which shipped font, size, colour and weight.

Authoring stage (used by `template init`): groups the measured fields into styles (same polarity, ink
colour within COLOR_GAP, cap height within CAP_GAP), then picks per style the shipped font whose rendering
matches the ink best (by the printed `text` where the fields file gives it, else by weight), and the stroke
thickening that makes up for a font lighter than the print. Pure functions, no randomness, no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthcert.template.erase import FieldInk
from synthcert.template.font_match import FontMatch, rank_fonts

COLOR_GAP = 48  # largest per-channel gap between the inks of one style
CAP_GAP = 0.12  # largest relative gap between the cap heights of one style
LIGHTER_THAN_PRINT = 0.9  # a font whose strokes are thinner than this share of the ink's gets thickened


@dataclass(frozen=True)
class FieldStyle:
    """How `template init` prints one field.

    Attributes:
        fonts: built-in font names, best match first.
        size_px: font size (em) that gives the style's cap height in the first font.
        color_rgb: the style's ink colour.
        bold_px: extra stroke width in document pixels (0: the font is heavy enough).
        style: the style's name, shared by the fields printed alike, or None for a field alone.
        score: the best font's similarity (see font_match.FontMatch), for the report.
    """

    fonts: tuple[str, ...]
    size_px: float
    color_rgb: tuple[int, int, int]
    bold_px: float = 0.0
    style: str | None = None
    score: float = 0.0


def group_styles(inks: dict[str, FieldInk]) -> list[list[str]]:
    """Groups the fields with ink into styles, in order; each field joins the first style it fits."""
    groups: list[list[str]] = []
    for name, ink in inks.items():
        if ink.text_height_px is None or ink.color_rgb is None:
            continue
        for group in groups:
            first = inks[group[0]]
            if (first.polarity == ink.polarity
                    and np.abs(np.subtract(first.color_rgb, ink.color_rgb)).max() <= COLOR_GAP
                    and abs(ink.text_height_px / first.text_height_px - 1) <= CAP_GAP):
                group.append(name)
                break
        else:
            groups.append([name])
    return groups


def choose_styles(inks: dict[str, FieldInk], texts: dict[str, str]) -> dict[str, FieldStyle]:
    """Chooses font, size, colour and thickening per style of the measured fields.

    Args:
        inks: field name -> what erase_field measured (fields without ink are left out of the result).
        texts: field name -> the text printed on the photo, where the fields file gives it.

    Returns:
        field name -> FieldStyle, for every field with ink.
    """
    out = {}
    for k, group in enumerate(group_styles(inks)):
        matches: dict[str, list[FontMatch]] = {}
        known = [n for n in group if texts.get(n)] or group  # the printed text decides where it is given
        for name in known:
            ink = inks[name]
            for m in rank_fonts(ink.letters, ink.text_height_px, texts.get(name)):
                matches.setdefault(m.font, []).append(m)
        # A font must have matched every field that decides (it has all of their characters).
        mean = {f: float(np.mean([m.score for m in ms])) for f, ms in matches.items() if len(ms) == len(known)}
        if not mean:
            continue
        ranked = sorted(mean, key=lambda f: -mean[f])
        best = ranked[0]
        fonts = (best, *[f for f in ranked[1:3] if mean[f] >= 0.95 * mean[best]])
        ratio = float(np.median([m.stroke_ratio for m in matches[best]]))
        stroke = float(np.median([inks[n].stroke_px for n in group if inks[n].stroke_px] or [0.0]))
        bold = round(stroke * (1 - ratio), 1) if ratio < LIGHTER_THAN_PRINT and stroke else 0.0
        color = tuple(int(v) for v in np.median([inks[n].color_rgb for n in group], axis=0))
        size = float(np.median([m.size_px for m in matches[best]]))
        for name in group:
            out[name] = FieldStyle(fonts=fonts, size_px=size, color_rgb=color, bold_px=bold,
                                   style=f"s{k + 1}" if len(group) > 1 else None, score=mean[best])
    return out
