"""Shared fixtures. No global random state is seeded here: every test builds its own generators."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml


def write_template(directory: Path, spec: dict | None = None, size_wh=(400, 250), fill=255) -> Path:
    """Writes a template folder with a plain background and `spec` (default: one OCR-B target field)."""
    directory.mkdir(parents=True, exist_ok=True)
    w, h = size_wh
    cv2.imwrite(str(directory / "background.png"), np.full((h, w, 3), fill, np.uint8))
    if spec is None:
        spec = {
            "name": "plain-test",
            "country": "CZ",
            "background": "background.png",
            "fields": {
                "registration_number": {
                    "code": "A", "print_code": False, "box": [40, 60, 300, 110], "generator": "plate",
                    "fonts": ["ocrb"], "size_range": [34, 40], "color": "#101010", "color_jitter": 0,
                    "strength_range": [1.0, 1.0], "offset_px": 3,
                },
                "owner": {"box": [40, 150, 380, 190], "generator": "name", "fonts": ["dejavu-sans"]},
            },
        }
    (directory / "template.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return directory


@pytest.fixture
def plain_template(tmp_path) -> Path:
    return write_template(tmp_path / "plain")
