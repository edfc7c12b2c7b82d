"""Font files: the built-in names, custom files, and which characters each font really has.

A text is only ever drawn with a font whose character map covers every character of it, so a missing
glyph can never print as an empty box.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from synthcert.resources import shipped_dir

FONT_DIR = shipped_dir("fonts")
BUILTIN_FONTS = {
    "ocrb": "OCRB.otf",
    "dejavu-sans": "DejaVuSans.ttf",
    "dejavu-sans-bold": "DejaVuSans-Bold.ttf",
    "dejavu-sans-mono": "DejaVuSansMono.ttf",
    "dejavu-sans-mono-bold": "DejaVuSansMono-Bold.ttf",
    "dejavu-serif": "DejaVuSerif.ttf",
    "liberation-sans": "LiberationSans-Regular.ttf",
    "liberation-sans-bold": "LiberationSans-Bold.ttf",
    "liberation-mono": "LiberationMono-Regular.ttf",
    "roboto-black": "Roboto-Black.ttf",
    "roboto-condensed": "RobotoCondensed-Regular.ttf",
    "roboto-condensed-bold": "RobotoCondensed-Bold.ttf",
    "osp-din": "OSP-DIN.ttf",
    "bebas-neue-bold": "BebasNeue-Bold.otf",
}


def resolve_font(name: str, directory: Path | None = None) -> Path | None:
    """Returns the file of a built-in font name, or of a font file relative to `directory`; None if neither."""
    if name in BUILTIN_FONTS:
        return FONT_DIR / BUILTIN_FONTS[name]
    candidate = Path(name) if directory is None else Path(directory) / name
    return candidate.resolve() if candidate.is_file() else None


@lru_cache(maxsize=64)
def font_charset(path: Path) -> frozenset[str]:
    """Returns the characters that `path` has glyphs for (from its cmap table)."""
    with TTFont(str(path), lazy=True) as font:
        # Only the codes matter, not the glyph names the cmap maps them to: fontTools' fallback names (glyph00001, ...)
        # spare it reading the names from the post or CFF table, most of a cold process's time here (0.2 -> 0.07 s
        # for the built-in fonts).
        font.setGlyphOrder(["glyph00000"])
        return frozenset(chr(code) for code in font.getBestCmap())


def fonts_covering(paths: tuple[Path, ...], text: str) -> list[Path]:
    """Returns those of `paths` that can draw every character of `text` (spaces always pass)."""
    needed = set(text)
    # The usual case, a dozen times per sample: all of them. Looked up by the tuple's identity (each field holds its
    # own): hashing and comparing Paths costs more than the rest of this check.
    found = _SHARED_BY_ID.get(id(paths))
    if found is None or found[0] is not paths:
        if len(_SHARED_BY_ID) >= 1024:
            _SHARED_BY_ID.clear()
        found = _SHARED_BY_ID[id(paths)] = (paths, _shared_charset(tuple(map(str, paths))) if paths else frozenset())
    if paths and needed <= found[1]:
        return list(paths)
    needed.discard(" ")
    return [p for p in paths if needed <= font_charset(p)]


# id(paths) -> (paths, their shared charset); holding `paths` keeps its id from being reused by another tuple.
_SHARED_BY_ID: dict[int, tuple[tuple[Path, ...], frozenset[str]]] = {}


@lru_cache(maxsize=256)
def _shared_charset(paths: tuple[str, ...]) -> frozenset[str]:
    """The characters that every one of the font files `paths` has, and the space."""
    return frozenset.intersection(*(font_charset(Path(p)) for p in paths)) | {" "}


def missing_font_hint(paths: tuple[Path, ...], text: str) -> str:
    """Says which characters of `text` none of `paths` has, and which built-in fonts have all of them (if any)."""
    needed = set(text) - {" "}
    missing = sorted(needed - set().union(*(font_charset(p) for p in paths))) if paths else sorted(needed)
    shown = "".join(missing) or "".join(sorted(needed))
    covering = [name for name, file in BUILTIN_FONTS.items() if needed <= font_charset(FONT_DIR / file)]
    if covering:
        return f"{shown!r} is not in those fonts; add a built-in font that has every character, e.g. {covering[0]}"
    return (f"no built-in font has {shown!r}; put a font file that covers this script (e.g. a Noto Sans face) in "
            "the template folder and name it in fonts")
