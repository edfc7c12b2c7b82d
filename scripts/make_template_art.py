"""Draw the background art of the built-in templates and write their directories.

The art is original and deterministic (fixed seed; numpy, OpenCV and Pillow only). Regenerate with

    python scripts/make_template_art.py

Each template's field layout is defined once here: the captions in the art and the boxes in
template.yaml come from the same numbers, so they cannot drift apart.
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
FONTS = ROOT / "synthcert" / "fonts"
OUT = ROOT / "synthcert" / "templates"
SEED = 20240611
MAX_BYTES = 1_500_000
PLATE_FONTS = ["ocrb", "dejavu-sans-mono-bold", "liberation-mono"]
Color = tuple[int, int, int]


@lru_cache
def font(file: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / file), size)


def hexrgb(h: str) -> Color:
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


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


# ---------------------------------------------------------------- motifs

def paper(w: int, h: int, c0: str, c1: str, c2: str, rng, fibres: int) -> np.ndarray:
    """Tinted diagonal three-colour gradient with a soft mottle and a few security fibres."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w * 0.7 + yy / h * 0.3)[..., None]
    a, b, c = (np.asarray(hexrgb(x), np.float32) for x in (c0, c1, c2))
    img = np.where(t < 0.5, a + (b - a) * (t * 2), b + (c - b) * (t * 2 - 1))
    mottle = cv2.resize(rng.normal(0, 1, (h // 60 + 2, w // 60 + 2)).astype(np.float32), (w, h),
                        interpolation=cv2.INTER_CUBIC)
    img = img * (1 + 0.012 * mottle[..., None])
    for _ in range(fibres):
        p = rng.uniform((0, 0), (w, h))
        ang, ln = rng.uniform(0, math.pi), rng.uniform(6, 14)
        bend = rng.uniform(-3, 3)
        s = np.linspace(-1, 1, 12)[:, None]
        curve = p + s * ln * np.array([math.cos(ang), math.sin(ang)]) + (1 - s**2) * bend
        hue = [(200, 60, 80), (60, 90, 200), (230, 180, 40)][rng.integers(3)]
        stroke(img, [curve], hue, alpha=rng.uniform(0.25, 0.5), closed=False)
    return img


def waves(img, color, alpha, spacing, amp, period, region=None, vertical=False) -> None:
    """Fine parallel sine lines whose amplitude swells slowly, giving the moire of banknote tint."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = region or (0, 0, w, h)
    if vertical:
        x0, y0, x1, y1 = y0, x0, y1, x1
    s = np.arange(x0, x1 + 2, 2.0)
    curves = []
    for j, y in enumerate(np.arange(y0 - amp, y1 + amp, spacing)):
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
        cv2_rect = np.array([[m, m], [w - m, m], [w - m, h - m], [m, h - m]], float)
        stroke(img, [cv2_rect], color, 0.9, thickness=th)
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
    mask_poly = [outline]
    fill(img, mask_poly, accent, 0.35)
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
    caption: tuple[str, str]
    anchor: tuple[int, int]  # top-left of the caption
    box: tuple[int, int, int, int]
    spec: dict


def slot(name, code, caption, x, y, w, bh, cap_h, generator, **spec) -> Field:
    """Caption at (x, y); the value box below it, leaving 1.5 x box height at the left for the code."""
    box = (round(x + 1.5 * bh), y + cap_h, x + w, y + cap_h + bh)
    spec = {"generator": generator, "size_range": [round(0.62 * bh), round(0.76 * bh)], **spec}
    return Field(name, code, caption, (x, y), box, spec)


def captions(img, fields, fnt, color, two_line=False, code_font=None) -> None:
    """Prints 'local / English' captions (one or two lines); optionally the codes left of the boxes."""
    drawn = []
    for f in fields:
        local, english = f.caption
        x, y = f.anchor
        if two_line:
            drawn.append(text(img, (x, y), local, fnt, color))
            drawn.append(text(img, (x, y + fnt.size + 2), english, fnt, color, 0.7))
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

def eu_id1_card(rng):
    """ID-1 card like the Czech/Slovak/Dutch ones: 85.6 x 54 mm at 12 px/mm."""
    w, h = 1027, 648
    blue, teal = (40, 70, 130), (40, 120, 130)
    img = paper(w, h, "#e7f1ef", "#dde8f4", "#eee9f2", rng, fibres=40)
    waves(img, teal, 0.16, 5, 4, 90)
    rosette(img, (820, 400), 60, 210, (90, 110, 180), 0.33, rings=22, k=30, m=5)
    epitrochoid(img, (820, 400), 80, blue, 0.2, big=13, small=5)
    rosette(img, (220, 500), 40, 150, teal, 0.18, rings=12, k=20, m=4)
    frame(img, 10, teal)
    star_ring(img, (80, 72), 40, blue)
    title, cap = font("DejaVuSans-Bold.ttf", 26), font("DejaVuSans.ttf", 12)
    text(img, (142, 36), "ČESKÁ REPUBLIKA  ·  CZECH REPUBLIC", font("DejaVuSans.ttf", 15), blue)
    text(img, (142, 56), "OSVĚDČENÍ O REGISTRACI VOZIDLA", title, blue)
    text(img, (142, 88), "Vehicle registration certificate – Part I", font("DejaVuSans.ttf", 15), blue, 0.8)
    text(img, (w - 44, 38), "UAA 604127", font("DejaVuSansMono-Bold.ttf", 18), (190, 40, 50), anchor="ra")
    microtext(img, (142, 112), w - 182, "CESKAREPUBLIKA", font("DejaVuSans.ttf", 7), teal)
    cap_h = 20
    lx, rx, lw, rw = 40, 540, 470, 448
    fields = [
        slot("registration_number", "A", ("Registrační značka", "Registration number"), lx, 130, 400, 54, cap_h,
             "plate", fonts=PLATE_FONTS, size_range=[36, 42]),
        slot("first_registration", "B", ("Datum první registrace", "Date of first registration"),
             lx, 218, 300, 34, cap_h, "date"),
        slot("registration_date", "I", ("Datum registrace v ČR", "Date of registration"), lx, 284, 300, 34,
             cap_h, "date"),
        slot("owner", "C.1.1", ("Jméno, příjmení / název", "Surname, name or business name"), lx, 350, lw, 34,
             cap_h, "name", uppercase=True),
        slot("address", "C.1.3", ("Adresa pobytu / sídlo", "Address"), lx, 416, lw, 34, cap_h, "address"),
        slot("vin", "E", ("Identifikační číslo vozidla", "Vehicle identification number"), lx, 482, lw, 34,
             cap_h, "vin", fonts=["ocrb", "dejavu-sans-mono"]),
        slot("make", "D.1", ("Tovární značka", "Make"), rx, 218, rw, 34, cap_h, "make", uppercase=True),
        slot("model", "D.3", ("Obchodní označení", "Commercial description"), rx, 284, rw, 34, cap_h, "model"),
        slot("vehicle_type", "J", ("Kategorie vozidla", "Vehicle category"), rx, 350, rw, 34, cap_h,
             "vehicle_type"),
        slot("colour", "R", ("Barva", "Colour"), rx, 416, 300, 34, cap_h, "colour"),
        slot("fuel", "P.3", ("Palivo", "Fuel"), rx, 482, 300, 34, cap_h, "fuel"),
    ]
    captions(img, fields, cap, blue)
    rope(img, (40, 582), (w - 40, 582), 12, 30, (150, 90, 160), 0.6, strands=4)
    text(img, (40, 600), "Registrační místo / Registration authority", cap, blue, 0.8)
    meta = {"country": "CZ", "size_mm": [85.6, 54.0],
            "defaults": {"fonts": ["dejavu-sans", "liberation-sans"], "color": "#1c1c28"}}
    return img, meta, fields


def de_paper_teil1(rng):
    """One panel of a folded green security-paper certificate, 105 x 74 mm at 10 px/mm."""
    w, h = 1050, 740
    green, dark = (80, 130, 90), (30, 75, 50)
    img = paper(w, h, "#e3efdc", "#dcebd9", "#e9f0d6", rng, fibres=70)
    waves(img, green, 0.14, 4, 3, 60)
    waves(img, (120, 150, 90), 0.10, 7, 5, 140, vertical=True)
    for c in ((260, 420), (800, 470)):
        rosette(img, c, 50, 230, green, 0.22, rings=26, k=36, m=6)
    epitrochoid(img, (800, 470), 90, green, 0.15, big=17, small=6)
    shield(img, (58, 56), 62, dark, (220, 180, 60), variant=0)
    text(img, (104, 20), "Bundesrepublik Deutschland · Federal Republic", font("LiberationSans-Regular.ttf", 15),
         dark)
    text(img, (104, 40), "Zulassungsbescheinigung Teil I", font("LiberationSans-Bold.ttf", 30), dark)
    text(img, (104, 76), "Registration Certificate Part I", font("LiberationSans-Regular.ttf", 17), dark, 0.8)
    text(img, (104, 100), "Nr. DE 4471203 B", font("DejaVuSansMono-Bold.ttf", 14), (170, 40, 40))
    cap, code = font("LiberationSans-Regular.ttf", 12), font("LiberationSans-Bold.ttf", 17)
    rows = (128, 196, 264, 332, 400, 468)  # grid rows, 68 px high; the A cell sits in the header
    cells = [  # (name, code, captions, x, y, width, generator, extra field keys)
        ("registration_number", "A", ("Amtliches Kennzeichen", "Registration number"), 640, 16, 394,
         "plate", {"fonts": PLATE_FONTS}),
        ("first_registration", "B", ("Datum der Erstzulassung", "First registration"), 16, rows[0], 330,
         "date", {}),
        ("registration_date", "I", ("Datum dieser Zulassung", "Date of this registration"), 346, rows[0], 350,
         "date", {}),
        ("manufacturer_code", "2.1", ("Code zu 2", "Make code"), 696, rows[0], 338, "pattern:####", {}),
        ("owner", "C.1.1", ("Name oder Firmenname", "Surname or business name"), 16, rows[1], 600,
         "last_name", {}),
        ("first_name", "C.1.2", ("Vorname(n)", "Given name(s)"), 616, rows[1], 418, "first_name", {}),
        ("address", "C.1.3", ("Anschrift", "Address"), 16, rows[2], 1018, "address", {}),
        ("make", "D.1", ("Marke", "Make"), 16, rows[3], 380, "make", {}),
        ("type", "D.2", ("Typ / Variante", "Type / variant"), 396, rows[3], 300, "pattern:??##??", {}),
        ("vehicle_type", "J", ("Fahrzeugklasse", "Vehicle category"), 696, rows[3], 338, "vehicle_type", {}),
        ("model", "D.3", ("Handelsbezeichnung", "Commercial description"), 16, rows[4], 600, "model", {}),
        ("colour", "R", ("Farbe", "Colour"), 616, rows[4], 418, "colour", {}),
        ("vin", "E", ("Fahrzeug-Identifizierungsnummer", "Vehicle identification number"), 16, rows[5], 600,
         "vin", {}),
        ("fuel", "P.3", ("Kraftstoffart / Energiequelle", "Fuel"), 616, rows[5], 418, "fuel", {}),
    ]
    fields = []
    for name, c, capt, x, y, cw, gen, extra in cells:
        target = name == "registration_number"
        bh, ch = (52, 94) if target else (34, 68)
        cell = np.array([[x, y], [x + cw, y], [x + cw, y + ch], [x, y + ch]], float)
        if target:  # pale yellow underprint marks the number cell
            fill(img, [cell], (245, 225, 120), 0.25)
        stroke(img, [cell], dark, 0.7)
        fields.append(slot(name, c, capt, x + 8, y + 6, cw - 16, bh, 30 if target else 22, gen, **extra))
    captions(img, fields, cap, dark, code_font=code)
    rope(img, (16, 556), (w - 16, 556), 14, 34, green, 0.7)
    text(img, (16, 576), "Zulassungsbehörde / Registration authority", cap, dark)
    for x, label in ((560, "Ort, Datum / Place, date"), (820, "Unterschrift / Signature")):
        stroke(img, [np.array([[x, 676.0], [x + 214, 676.0]])], dark, 0.6, closed=False)
        text(img, (x, 682), label, cap, dark, 0.8)
    microtext(img, (16, 718), w - 32, "ZULASSUNGSBESCHEINIGUNG", font("DejaVuSans.ttf", 7), dark)
    meta = {"country": "DE", "size_mm": [105.0, 74.0],
            "defaults": {"fonts": ["liberation-mono", "dejavu-sans-mono"], "color": "#1a1a1a",
                         "uppercase": True, "print_code": False}}
    return img, meta, fields


def a6_paper_two_column(rng):
    """Landscape A6 paper certificate (148 x 105 mm at 8 px/mm) with two columns of fields."""
    w, h = 1184, 840
    plum, rose = (90, 40, 95), (170, 80, 130)
    img = paper(w, h, "#f7e9df", "#f2e4ec", "#e9e4f4", rng, fibres=60)
    waves(img, rose, 0.13, 6, 6, 120)
    rosette(img, (300, 420), 40, 250, (120, 90, 170), 0.2, rings=24, k=28, m=5)
    rosette(img, (900, 430), 40, 230, rose, 0.2, rings=20, k=22, m=8)
    epitrochoid(img, (900, 430), 110, plum, 0.12, big=9, small=4)
    frame(img, 14, plum, rope_width=12, period=32)
    shield(img, (82, 80), 70, plum, (230, 150, 170), variant=1)
    serif = font("DejaVuSerif.ttf", 30)
    text(img, (132, 44), "RZECZPOSPOLITA POLSKA  ·  REPUBLIC OF POLAND", font("DejaVuSans.ttf", 15), plum)
    text(img, (132, 64), "DOWÓD REJESTRACYJNY", serif, plum)
    text(img, (132, 102), "Vehicle registration certificate", font("DejaVuSerif.ttf", 16), plum, 0.8)
    text(img, (w - 56, 46), "DR/BAA 0736514", font("DejaVuSansMono-Bold.ttf", 18), (60, 60, 150), anchor="ra")
    rope(img, (593, 150), (593, 690), 16, 40, rose, 0.6, strands=6)
    cap, cap_h = font("LiberationSans-Regular.ttf", 13), 32
    lx, rx, cw = 56, 624, 506
    fields = [
        slot("owner", "C.1.1", ("Nazwisko i imię lub nazwa", "Surname and name or business name"),
             lx, 150, cw, 40, cap_h, "name", uppercase=True),
        slot("address", "C.1.3", ("Adres", "Address"), lx, 240, cw, 40, cap_h, "address"),
        slot("first_registration", "B", ("Data pierwszej rejestracji", "Date of first registration"),
             lx, 330, 330, 40, cap_h, "date"),
        slot("registration_date", "I", ("Data rejestracji", "Date of this registration"), lx, 420, 330, 40,
             cap_h, "date"),
        slot("vin", "E", ("Numer identyfikacyjny pojazdu", "Vehicle identification number"), lx, 510, cw, 40,
             cap_h, "vin", fonts=["ocrb", "liberation-mono"]),
        slot("make", "D.1", ("Marka", "Make"), lx, 600, cw, 40, cap_h, "make", uppercase=True),
        slot("model", "D.3", ("Model", "Commercial description"), rx, 150, cw, 40, cap_h, "model"),
        slot("type", "D.2", ("Typ / wariant / wersja", "Type / variant / version"), rx, 240, cw, 40, cap_h,
             "pattern:???##", uppercase=True),
        slot("registration_number", "A", ("Numer rejestracyjny", "Registration number"), rx, 338, 400, 62,
             cap_h, "plate", fonts=PLATE_FONTS, size_range=[40, 48]),
        slot("vehicle_type", "J", ("Kategoria pojazdu", "Vehicle category"), rx, 450, cw, 40, cap_h,
             "vehicle_type"),
        slot("fuel", "P.3", ("Rodzaj paliwa", "Fuel"), rx, 540, 330, 40, cap_h, "fuel"),
        slot("colour", "R", ("Kolor", "Colour"), rx, 630, 330, 40, cap_h, "colour"),
    ]
    x0, y0, x1, y1 = fields[8].box  # a tinted, ruled panel around the number, as on many paper forms
    x, y = fields[8].anchor
    panel = np.array([[x - 10, y - 8], [x1 + 12, y - 8], [x1 + 12, y1 + 10], [x - 10, y1 + 10]], float)
    fill(img, [panel], rose, 0.1)
    stroke(img, [panel], plum, 0.8)
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
    rng = np.random.default_rng(SEED)
    for make in (eu_id1_card, de_paper_teil1, a6_paper_two_column):
        img, meta, fields = make(rng)
        out = write(make.__name__.replace("_", "-"), img, meta, fields)
        print(f"{out.relative_to(ROOT)}: {img.shape[1]}x{img.shape[0]} px, {len(fields)} fields")


if __name__ == "__main__":
    main()
