"""The baseline of `synthcert bench`: a renderer written plainly, the way a user would with the same libraries.

Measurement only, never used to make data: Pillow draws each field's text at the template's own size,
one OpenCV warp puts the sheet on a plain background, an albumentations Compose adds light, noise, blur
and JPEG. No realism (bends, fingers, glare), no pyramid, no caches beyond the fonts, no label checks:
what the issue calls "a hand-written renderer", so that `synthcert bench` can say how much faster the
real one is in the same run on the same machine.
"""

from __future__ import annotations

import albumentations as A
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from synthcert.samples import TARGET
from synthcert.template.spec import builtin_template_dirs, load_template
from synthcert.text.generators import generate_text


class NaiveRenderer:
    """Renders (image, target corners) pairs; `render(index)` as `Renderer.render` is called."""

    def __init__(self, image_size_wh: tuple[int, int] = (384, 256)):
        self.size_wh = image_size_wh
        self.specs = [load_template(d) for d in builtin_template_dirs()]
        self.art = [Image.open(s.background).convert("RGB").resize(s.size_wh) for s in self.specs]
        self.fonts: dict = {}
        self.effects = A.Compose([
            A.RandomBrightnessContrast(p=0.6),
            A.PlanckianJitter(p=0.35),
            A.MotionBlur(blur_limit=(3, 5), p=0.3),
            A.GaussNoise(std_range=(0.01, 0.05), p=0.35),
            A.ImageCompression(quality_range=(50, 95), p=0.5),
        ])

    def render(self, index: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([index, seed])
        k = int(rng.integers(len(self.specs)))
        spec, page = self.specs[k], self.art[k].copy()
        draw = ImageDraw.Draw(page)
        target = None
        for f in spec.fields.values():
            text = f.text or generate_text(f.generator, rng, spec.country)
            size = int(rng.uniform(*f.size_range))
            path = f.fonts[int(rng.integers(len(f.fonts)))]
            if (path, size) not in self.fonts:
                self.fonts[path, size] = ImageFont.truetype(str(path), size)
            font = self.fonts[path, size]
            x0, y0, x1, y1 = f.box
            draw.text((x0, (y0 + y1) / 2), text, font=font, fill=f.color, anchor="lm")
            if f.name == TARGET:
                target = np.array(draw.textbbox((x0, (y0 + y1) / 2), text, font=font, anchor="lm"), np.float32)
        w, h = spec.size_wh
        out_w, out_h = self.size_wh
        corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        jitter = rng.uniform(-0.08, 0.08, (4, 2)) * (out_w, out_h)
        placed = np.float32([[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]] * np.float32(self.size_wh) + jitter)
        m = cv2.getPerspectiveTransform(corners, placed)
        background = np.full((out_h, out_w, 3), rng.integers(40, 200, 3), np.uint8)
        image = cv2.warpPerspective(np.asarray(page), m, self.size_wh, dst=background,
                                    borderMode=cv2.BORDER_TRANSPARENT)
        self.effects.set_random_seed(int(rng.integers(2**31)))
        image = self.effects(image=image)["image"]
        x0, y0, x1, y1 = target
        box = np.float32([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]])
        return image, cv2.perspectiveTransform(box, m)[0]
