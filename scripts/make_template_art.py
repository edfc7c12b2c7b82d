"""Draw the background art of the built-in templates and write their directories.

Original, deterministic art (fixed seed; numpy, OpenCV, Pillow). Run: python scripts/make_template_art.py
Each layout is defined once: the captions in the art and the boxes in template.yaml come from the
same numbers, so they cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import yaml
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "fonts"
OUT = ROOT / "templates"
SEED = 20240611
MAX_BYTES = 1_500_000
PLATE_FONTS = ["ocrb", "dejavu-sans-mono-bold", "liberation-mono"]
Color = tuple[int, int, int]
HARMONISED = {  # field name -> (EU code, generator, English caption)
    "registration_number": ("A", "plate", "Registration number"),
    "first_registration": ("B", "date", "Date of first registration"),
    "registration_date": ("I", "date", "Date of this registration"),
    "owner": ("C.1.1", "name", "Surname, name or business name"),
    "first_name": ("C.1.2", "first_name", "Given name(s)"),
    "address": ("C.1.3", "address", "Address"),
    "make": ("D.1", "make", "Make"),
    "type": ("D.2", "pattern:??##??", "Type / variant / version"),
    "model": ("D.3", "model", "Commercial description"),
    "vin": ("E", "vin", "Vehicle identification number"),
    "vehicle_type": ("J", "vehicle_type", "Vehicle category"),
    "fuel": ("P.3", "fuel", "Fuel or power source"),
    "colour": ("R", "colour", "Colour"),
    "manufacturer_code": ("2.1", "pattern:####", "Make code"),  # German national field, not harmonised
}


@lru_cache
def font(file: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / file), size)


# ---------------------------------------------------------------- ink primitives

def ink(img: np.ndarray, mask: np.ndarray, color: Color, alpha: float = 1.0) -> None:
    """Multiplies ink into the paper (overprinted layers darken each other, like real offset print)."""
    a = (mask.astype(np.float32) * (alpha / 255.0))[..., None]
    img *= 1.0 - a * (1.0 - np.asarray(color, np.float32) / 255.0)


def stroke(img, curves, color: Color, alpha=0.6, thickness=1, closed=True) -> None:
    mask = np.zeros(img.shape[:2], np.uint8)
    pts = [np.round(c * 16).astype(np.int32) for c in curves]  # shift=4: sub-pixel vertices
    cv2.polylines(mask, pts, closed, 255, thickness, cv2.LINE_AA, shift=4)
    ink(img, mask, color, alpha)


def text(img, xy, s: str, fnt, color: Color, alpha=1.0, anchor="la") -> tuple[int, int, int, int]:
    """Draws `s` and returns its pixel bbox (used to check that no caption reaches into a box)."""
    layer = Image.new("L", (img.shape[1], img.shape[0]))
    draw = ImageDraw.Draw(layer)
    draw.text(xy, s, font=fnt, fill=255, anchor=anchor)
    ink(img, np.asarray(layer), color, alpha)
    return draw.textbbox(xy, s, font=fnt, anchor=anchor)


def rect(x0, y0, x1, y1) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)


# ---------------------------------------------------------------- motifs

def paper(w: int, h: int, c0: Color, c1: Color, c2: Color, rng, fibres: int) -> np.ndarray:
    """Tinted diagonal three-colour gradient with a soft mottle and a few security fibres."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w * 0.7 + yy / h * 0.3)[..., None]
    a, b, c = (np.asarray(x, np.float32) for x in (c0, c1, c2))
    img = np.where(t < 0.5, a + (b - a) * (t * 2), b + (c - b) * (t * 2 - 1))
    mottle = cv2.resize(rng.normal(0, 1, (h // 60 + 2, w // 60 + 2)).astype(np.float32), (w, h),
                        interpolation=cv2.INTER_CUBIC)
    img = img * (1 + 0.012 * mottle[..., None])
    for _ in range(fibres):
        p, ang = rng.uniform((0, 0), (w, h)), rng.uniform(0, math.pi)
        ln, bend = rng.uniform(6, 14), rng.uniform(-3, 3)
        s = np.linspace(-1, 1, 12)[:, None]  # a short, slightly bent thread
        curve = p + s * ln * np.array([math.cos(ang), math.sin(ang)]) + (1 - s**2) * bend
        hue = [(200, 60, 80), (60, 90, 200), (230, 180, 40)][rng.integers(3)]
        stroke(img, [curve], hue, alpha=rng.uniform(0.25, 0.5), closed=False)
    return img


def waves(img, color, alpha, spacing, amp, period, vertical=False) -> None:
    """Fine parallel sine lines over the whole document; the amplitude swells slowly (banknote tint)."""
    h, w = img.shape[:2]
    along, across = (h, w) if vertical else (w, h)
    s = np.arange(0, along + 2, 2.0)
    curves = []
    for j, y in enumerate(np.arange(-amp, across + amp, spacing)):
        a = amp * (0.55 + 0.45 * np.sin(2 * np.pi * s / (period * 7.3) + j * 0.05))
        off = y + a * np.sin(2 * np.pi * s / period + j * 0.35)
        curves.append(np.stack([off, s], 1) if vertical else np.stack([s, off], 1))
    stroke(img, curves, color, alpha, closed=False)


def rosette(img, c, r0, r1, color, alpha=0.5, rings=16, k=24, m=7) -> None:
    """Polar guilloche: nested rings modulated by two sines whose phase walks ring to ring."""
    th = np.linspace(0, 2 * np.pi, 2400)
    curves = []
    for i in range(rings):
        base = r0 + (r1 - r0) * i / max(rings - 1, 1)
        rho = base + 0.09 * r1 * np.sin(k * th + i * 0.42) * (0.6 + 0.4 * np.sin(m * th - i * 0.3))
        curves.append(np.stack([c[0] + rho * np.cos(th), c[1] + rho * np.sin(th)], 1))
    stroke(img, curves, color, alpha)


def epitrochoid(img, c, radius, color, alpha=0.6, big=11, small=4, copies=6) -> None:
    """Spirograph star: epitrochoids with slightly different pen offsets, rotated copies interleaved."""
    t = np.linspace(0, 2 * np.pi * small / math.gcd(big, small), 4000)
    curves = []
    for i in range(copies):
        d = small * (1.6 + 0.25 * i)
        x = (big + small) * np.cos(t) - d * np.cos((big + small) / small * t)
        y = (big + small) * np.sin(t) - d * np.sin((big + small) / small * t)
        rot = i * np.pi / (copies * big)
        p = np.stack([x * np.cos(rot) - y * np.sin(rot), x * np.sin(rot) + y * np.cos(rot)], 1)
        curves.append(np.asarray(c) + p * radius / (big + small + d))
    stroke(img, curves, color, alpha)


def rope(img, p0, p1, width, period, color, alpha=0.7, strands=5) -> None:
    """Braided guilloche band along a straight segment (borders and separators)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    length = np.linalg.norm(p1 - p0)
    u = (p1 - p0) / length
    n = np.array([-u[1], u[0]])
    s = np.arange(0, length + 1, 1.5)[:, None]
    curves = [p0 + s * u + (width / 2) * np.sin(2 * np.pi * s / period + 2 * np.pi * i / strands) * n
              for i in range(strands)]
    stroke(img, curves, color, alpha, closed=False)


def frame(img, margin, color, rope_width=10, period=26) -> None:
    """Double rule around the document with a braided band between the rules."""
    h, w = img.shape[:2]
    m2 = margin + rope_width + 6
    for m, th in ((margin, 2), (m2, 1)):
        stroke(img, [rect(m, m, w - m, h - m)], color, 0.9, thickness=th)
    mid = margin + (rope_width + 6) / 2
    corners = [(mid, mid), (w - mid, mid), (w - mid, h - mid), (mid, h - mid)]
    for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
        rope(img, a, b, rope_width, period, color, 0.55)


def microtext(img, xy, length, s, fnt, color, alpha=0.8) -> None:
    """A line of tiny repeated text; reads as a thin rule unless magnified."""
    line = s
    while fnt.getlength(line) < length:
        line += " " + s
    while fnt.getlength(line) > length:
        line = line[:-1]
    text(img, xy, line, fnt, color, alpha)


def star(c, r_out, rot=-np.pi / 2, points=5) -> np.ndarray:
    ang = rot + np.arange(2 * points) * np.pi / points
    r = np.where(np.arange(2 * points) % 2 == 0, r_out, r_out * 0.4)
    return np.stack([c[0] + r * np.cos(ang), c[1] + r * np.sin(ang)], 1)


def fill(img, polys, color, alpha=1.0) -> None:
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(p * 16).astype(np.int32) for p in polys], 255, cv2.LINE_AA, shift=4)
    ink(img, mask, color, alpha)


def star_ring(img, c, r, color, n=12) -> None:
    """Ring of small stars around a guilloche medallion (a generic emblem, no real arms)."""
    ang = np.arange(n) * 2 * np.pi / n
    fill(img, [star((c[0] + r * math.cos(a), c[1] + r * math.sin(a)), r * 0.17) for a in ang], color)
    rosette(img, c, r * 0.25, r * 0.62, color, 0.7, rings=6, k=12, m=3)
    stroke(img, [star(c, r * 0.3)], color, 0.9, thickness=2)


def shield(img, c, s, color, accent, variant=0) -> None:
    """Heater shield outline with bars (variant 0) or a chevron (variant 1), and a star."""
    t = np.linspace(0, 1, 30)
    side = np.stack([s * (0.5 - 0.5 * t**2), s * (0.1 + 0.9 * t)], 1)  # curved lower flank
    outline = np.concatenate([[[-s / 2, -s * 0.55], [s / 2, -s * 0.55]], side, (side * [-1, 1])[::-1]])
    outline = outline + c
    fill(img, [outline], accent, 0.35)
    clip = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(clip, [np.round(outline).astype(np.int32)], 1)
    stripe = np.zeros_like(clip)
    if variant == 0:
        for k in range(3):
            y = int(c[1] - s * 0.35 + k * s * 0.3)
            cv2.rectangle(stripe, (0, y), (img.shape[1], y + int(s * 0.1)), 255, -1)
    else:
        chevron = np.array([[-s / 2, s * 0.35], [0, -s * 0.15], [s / 2, s * 0.35], [s / 2, s * 0.6],
                            [0, s * 0.1], [-s / 2, s * 0.6]]) + c
        cv2.fillPoly(stripe, [np.round(chevron).astype(np.int32)], 255, cv2.LINE_AA)
    ink(img, stripe * clip, color, 0.85)
    stroke(img, [outline], color, 1.0, thickness=2)
    fill(img, [star((c[0], c[1] - s * 0.3 if variant else c[1] + s * 0.42), s * 0.13)], color)


# ---------------------------------------------------------------- fields

@dataclass
class Field:
    name: str
    code: str
    caption: tuple[str, str]  # (local language, English)
    anchor: tuple[int, int]  # top-left of the caption
    box: tuple[int, int, int, int]
    spec: dict  # the other template.yaml keys of the field


def layout(rows, cap_h: int, pad=(0, 0)) -> list[Field]:
    """Rows (name, local caption, x, y, w, box_h, extra keys) -> fields.

    The caption goes at the slot's top-left, the value box below it; 1.5 x box height stays free left of
    the box for the code. `pad` insets the slot in its (x, y, w) cell.
    """
    fields = []
    for name, local, x, y, w, bh, keys in rows:
        code, gen, english = HARMONISED[name]
        x, y, w = x + pad[0], y + pad[1], w - 2 * pad[0]
        box = (round(x + 1.5 * bh), y + cap_h, x + w, y + cap_h + bh)
        spec = {"generator": gen, "size_range": [round(0.62 * bh), round(0.76 * bh)], **keys}
        fields.append(Field(name, code, (local, english), (x, y), box, spec))
    return fields


def captions(img, fields, fnt, color, two_line=False, code_font=None) -> None:
    """Prints 'local / English' captions (one or two lines); optionally the codes left of the boxes."""
    drawn = []
    for f in fields:
        (local, english), (x, y) = f.caption, f.anchor
        if two_line:
            drawn += [text(img, (x, y), local, fnt, color),
                      text(img, (x, y + fnt.size + 2), english, fnt, color, 0.7)]
        else:
            bb = text(img, (x, y), local + " /", fnt, color)
            drawn += [bb, text(img, (bb[2] + 4, y), english, fnt, color, 0.7)]
        if code_font is not None:
            x0, y0, _, y1 = f.box
            drawn.append(text(img, (x0 - 8, (y0 + y1) / 2), f.code, code_font, color, anchor="rm"))
    for bb in drawn:  # the boxes must stay empty: the renderer prints the values there
        for f in fields:
            x0, y0, x1, y1 = f.box
            assert bb[2] <= x0 or bb[0] >= x1 or bb[3] <= y0 or bb[1] >= y1, f"text {bb} overlaps {f.name}"


# ---------------------------------------------------------------- templates

UP = {"uppercase": True}
PLATE = {"fonts": PLATE_FONTS}


def eu_id1_card(rng):
    """ID-1 card like the Czech/Slovak/Dutch ones: 85.6 x 54 mm at 12 px/mm."""
    w, h = 1027, 648
    blue, teal = (40, 70, 130), (40, 120, 130)
    img = paper(w, h, (231, 241, 239), (221, 232, 244), (238, 233, 242), rng, fibres=40)
    waves(img, teal, 0.16, 5, 4, 90)
    rosette(img, (820, 400), 60, 210, (90, 110, 180), 0.33, rings=22, k=30, m=5)
    epitrochoid(img, (820, 400), 80, blue, 0.2, big=13, small=5)
    rosette(img, (220, 500), 40, 150, teal, 0.18, rings=12, k=20, m=4)
    frame(img, 10, teal)
    star_ring(img, (80, 72), 40, blue)
    sans = font("DejaVuSans.ttf", 15)
    text(img, (142, 36), "ČESKÁ REPUBLIKA  ·  CZECH REPUBLIC", sans, blue)
    text(img, (142, 56), "OSVĚDČENÍ O REGISTRACI VOZIDLA", font("DejaVuSans-Bold.ttf", 26), blue)
    text(img, (142, 88), "Vehicle registration certificate – Part I", sans, blue, 0.8)
    text(img, (w - 44, 38), "UAA 604127", font("DejaVuSansMono-Bold.ttf", 18), (190, 40, 50), anchor="ra")
    microtext(img, (142, 112), w - 182, "CESKAREPUBLIKA", font("DejaVuSans.ttf", 7), teal)
    lx, rx, lw, rw = 40, 540, 470, 448  # columns
    fields = layout([
        ("registration_number", "Registrační značka", lx, 130, 400, 54, {**PLATE, "size_range": [36, 42]}),
        ("first_registration", "Datum první registrace", lx, 218, 300, 34, {}),
        ("registration_date", "Datum registrace v ČR", lx, 284, 300, 34, {}),
        ("owner", "Jméno, příjmení / název", lx, 350, lw, 34, UP),
        ("address", "Adresa pobytu / sídlo", lx, 416, lw, 34, {}),
        ("vin", "Identifikační číslo vozidla", lx, 482, lw, 34, {"fonts": ["ocrb", "dejavu-sans-mono"]}),
        ("make", "Tovární značka", rx, 218, rw, 34, UP),
        ("model", "Obchodní označení", rx, 284, rw, 34, {}),
        ("vehicle_type", "Kategorie vozidla", rx, 350, 300, 34, {}),
        ("colour", "Barva", rx, 416, 300, 34, {}),
        ("fuel", "Palivo", rx, 482, 300, 34, {}),
    ], cap_h=20)
    captions(img, fields, font("DejaVuSans.ttf", 12), blue)
    rope(img, (40, 582), (w - 40, 582), 12, 30, (150, 90, 160), 0.6, strands=4)
    text(img, (40, 600), "Registrační místo / Registration authority", font("DejaVuSans.ttf", 12), blue, 0.8)
    meta = {"country": "CZ", "size_mm": [85.6, 54.0],
            "defaults": {"fonts": ["dejavu-sans", "liberation-sans"], "color": "#1c1c28"}}
    return img, meta, fields


def de_paper_teil1(rng):
    """One panel of a folded green security-paper certificate, 105 x 74 mm at 10 px/mm.

    The codes are part of the art here (print_code: false), each bold in its ruled grid cell.
    """
    w, h = 1050, 740
    green, dark = (80, 130, 90), (30, 75, 50)
    img = paper(w, h, (227, 239, 220), (220, 235, 217), (233, 240, 214), rng, fibres=70)
    waves(img, green, 0.14, 4, 3, 60)
    waves(img, (120, 150, 90), 0.10, 7, 5, 140, vertical=True)
    for c in ((260, 420), (800, 470)):
        rosette(img, c, 50, 230, green, 0.22, rings=26, k=36, m=6)
    epitrochoid(img, (800, 470), 90, green, 0.15, big=17, small=6)
    shield(img, (58, 56), 62, dark, (220, 180, 60), variant=0)
    lib, cap = font("LiberationSans-Regular.ttf", 15), font("LiberationSans-Regular.ttf", 12)
    text(img, (104, 20), "Bundesrepublik Deutschland · Federal Republic", lib, dark)
    text(img, (104, 40), "Zulassungsbescheinigung Teil I", font("LiberationSans-Bold.ttf", 30), dark)
    text(img, (104, 76), "Registration Certificate Part I", font("LiberationSans-Regular.ttf", 17), dark, 0.8)
    text(img, (104, 100), "Nr. DE 4471203 B", font("DejaVuSansMono-Bold.ttf", 14), (170, 40, 40))
    y = (128, 196, 264, 332, 400, 468)  # grid rows; the number cell sits in the header
    cells = [  # x, y, w are the grid cell; the cell is 34 px taller than its box
        ("registration_number", "Amtliches Kennzeichen", 640, 16, 394, 52, PLATE),
        ("first_registration", "Datum der Erstzulassung", 16, y[0], 330, 34, {}),
        ("registration_date", "Datum dieser Zulassung", 346, y[0], 350, 34, {}),
        ("manufacturer_code", "Code zu 2", 696, y[0], 338, 34, {}),
        ("owner", "Name oder Firmenname", 16, y[1], 600, 34, {"generator": "last_name"}),
        ("first_name", "Vorname(n)", 616, y[1], 418, 34, {}),
        ("address", "Anschrift", 16, y[2], 1018, 34, {}),
        ("make", "Marke", 16, y[3], 380, 34, {}),
        ("type", "Typ / Variante", 396, y[3], 300, 34, {}),
        ("vehicle_type", "Fahrzeugklasse", 696, y[3], 338, 34, {}),
        ("model", "Handelsbezeichnung", 16, y[4], 600, 34, {}),
        ("colour", "Farbe", 616, y[4], 418, 34, {}),
        ("vin", "Fahrzeug-Identifizierungsnummer", 16, y[5], 600, 34, {}),
        ("fuel", "Kraftstoffart / Energiequelle", 616, y[5], 418, 34, {}),
    ]
    for name, _, x, y0, cw, bh, _ in cells:
        cell = rect(x, y0, x + cw, y0 + bh + 34)
        if name == "registration_number":  # pale yellow underprint marks the number cell
            fill(img, [cell], (245, 225, 120), 0.25)
        stroke(img, [cell], dark, 0.7)
    fields = layout(cells, cap_h=22, pad=(8, 6))
    captions(img, fields, cap, dark, code_font=font("LiberationSans-Bold.ttf", 17))
    rope(img, (16, 556), (w - 16, 556), 14, 34, green, 0.7)
    text(img, (16, 576), "Zulassungsbehörde / Registration authority", cap, dark)
    for x, label in ((560, "Ort, Datum / Place, date"), (820, "Unterschrift / Signature")):
        stroke(img, [np.array([[x, 676.0], [x + 214, 676.0]])], dark, 0.6, closed=False)
        text(img, (x, 682), label, cap, dark, 0.8)
    microtext(img, (16, 718), w - 32, "ZULASSUNGSBESCHEINIGUNG", font("DejaVuSans.ttf", 7), dark)
    meta = {"country": "DE", "size_mm": [105.0, 74.0],
            "defaults": {"fonts": ["liberation-mono", "dejavu-sans-mono"], "color": "#1a1a1a", **UP,
                         "print_code": False}}
    return img, meta, fields


def a6_paper_two_column(rng):
    """Landscape A6 paper certificate (148 x 105 mm at 8 px/mm) with two columns of fields."""
    w, h = 1184, 840
    plum, rose = (90, 40, 95), (170, 80, 130)
    img = paper(w, h, (247, 233, 223), (242, 228, 236), (233, 228, 244), rng, fibres=60)
    waves(img, rose, 0.13, 6, 6, 120)
    rosette(img, (300, 420), 40, 250, (120, 90, 170), 0.2, rings=24, k=28, m=5)
    rosette(img, (900, 430), 40, 230, rose, 0.2, rings=20, k=22, m=8)
    epitrochoid(img, (900, 430), 110, plum, 0.12, big=9, small=4)
    frame(img, 14, plum, rope_width=12, period=32)
    shield(img, (82, 76), 60, plum, (230, 150, 170), variant=1)
    text(img, (132, 44), "RZECZPOSPOLITA POLSKA  ·  REPUBLIC OF POLAND", font("DejaVuSans.ttf", 15), plum)
    text(img, (132, 64), "DOWÓD REJESTRACYJNY", font("DejaVuSerif.ttf", 30), plum)
    text(img, (132, 102), "Vehicle registration certificate", font("DejaVuSerif.ttf", 16), plum, 0.8)
    text(img, (w - 56, 46), "DR/BAA 0736514", font("DejaVuSansMono-Bold.ttf", 18), (60, 60, 150), anchor="ra")
    rope(img, (593, 150), (593, 690), 16, 40, rose, 0.6, strands=6)
    lx, rx, cw = 56, 624, 506  # columns
    fields = layout([
        ("owner", "Nazwisko i imię lub nazwa", lx, 150, cw, 40, UP),
        ("address", "Adres", lx, 240, cw, 40, {}),
        ("first_registration", "Data pierwszej rejestracji", lx, 330, 330, 40, {}),
        ("registration_date", "Data rejestracji", lx, 420, 330, 40, {}),
        ("vin", "Numer identyfikacyjny pojazdu", lx, 510, cw, 40, {"fonts": ["ocrb", "liberation-mono"]}),
        ("make", "Marka", lx, 600, cw, 40, UP),
        ("model", "Model", rx, 150, cw, 40, {}),
        ("type", "Typ / wariant / wersja", rx, 240, cw, 40, {"generator": "pattern:???##"}),
        ("registration_number", "Numer rejestracyjny", rx, 338, 400, 62, {**PLATE, "size_range": [40, 48]}),
        ("vehicle_type", "Kategoria pojazdu", rx, 450, 330, 40, {}),
        ("fuel", "Rodzaj paliwa", rx, 540, 330, 40, {}),
        ("colour", "Kolor", rx, 630, 330, 40, {}),
    ], cap_h=32)
    (x, y), (_, _, x1, y1) = fields[8].anchor, fields[8].box  # tinted, ruled panel around the number
    fill(img, [rect(x - 10, y - 8, x1 + 12, y1 + 10)], rose, 0.1)
    stroke(img, [rect(x - 10, y - 8, x1 + 12, y1 + 10)], plum, 0.8)
    cap = font("LiberationSans-Regular.ttf", 13)
    captions(img, fields, cap, plum, two_line=True)
    rope(img, (56, 725), (w - 56, 725), 12, 28, plum, 0.55, strands=4)
    text(img, (56, 744), "Organ rejestrujący / Registration authority", cap, plum)
    microtext(img, (56, 800), w - 112, "DOWODREJESTRACYJNY", font("DejaVuSans.ttf", 7), plum)
    meta = {"country": "PL", "size_mm": [148.0, 105.0],
            "defaults": {"fonts": ["liberation-sans", "dejavu-sans"], "color": "#1f2442"}}
    return img, meta, fields


# ---------------------------------------------------------------- output

def write(name: str, img: np.ndarray, meta: dict, fields: list[Field]) -> Path:
    """Saves the art (PNG, or JPEG when the PNG is too large) and template.yaml into OUT/name."""
    out = OUT / name
    out.mkdir(parents=True, exist_ok=True)
    bgr = cv2.cvtColor(np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    bg = "background.png"
    if len(buf) > MAX_BYTES:
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 93])
        bg = "background.jpg"
    assert ok and len(buf) <= MAX_BYTES, f"{name}: background too large ({len(buf)} bytes)"
    for stale in out.glob("background.*"):
        stale.unlink()
    (out / bg).write_bytes(buf.tobytes())
    doc = {"name": name, "country": meta["country"], "size_mm": meta["size_mm"], "background": bg,
           "defaults": meta["defaults"],
           "fields": {f.name: {"code": f.code, "box": list(f.box), **f.spec} for f in fields}}
    header = "# Generated by scripts/make_template_art.py; edit the script, not this file.\n"
    (out / "template.yaml").write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True,
                                                               default_flow_style=None, width=110))
    return out


def main() -> None:
    for i, make in enumerate((eu_id1_card, de_paper_teil1, a6_paper_two_column)):
        img, meta, fields = make(np.random.default_rng([SEED, i]))  # own stream: edits stay local
        out = write(make.__name__.replace("_", "-"), img, meta, fields)
        print(f"{out.relative_to(ROOT)}: {img.shape[1]}x{img.shape[0]} px, {len(fields)} fields")


if __name__ == "__main__":
    main()
