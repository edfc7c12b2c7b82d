"""The built wheel carries the package, the shipped templates and fonts, and renders from a clean directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs outside the repository with only the installed wheel to find synthcert in.
_PROBE = """
import json, pathlib, synthcert
from synthcert.pipeline import Renderer
from synthcert.resources import shipped_dir
sample = Renderer().render(index=0, seed=0)
package = pathlib.Path(synthcert.__file__).parent
print(json.dumps({
    "package": str(package),
    "modules": sorted(str(p.relative_to(package)) for p in package.rglob("*.py")),
    **{name: sorted(str(p.relative_to(shipped_dir(name))) for p in shipped_dir(name).rglob("*") if p.is_file())
       for name in ("templates", "fonts")},
    "shape": list(sample.image.shape),
}))
"""


def _files(root: Path, pattern: str = "*") -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob(pattern)
                  if p.is_file() and "__pycache__" not in p.parts)


def test_wheel_carries_every_module_template_and_font_and_renders(tmp_path):
    source = tmp_path / "source"  # a copy, so the build's build/ and egg-info never touch the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("synthcert", "templates", "fonts"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "wheel", source],
                   check=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "wheel").glob("synthcert-*.whl")
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", site, wheel], check=True, cwd=tmp_path)

    probe = subprocess.run([sys.executable, "-c", _PROBE], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)},
                           capture_output=True, text=True, check=True)
    found = json.loads(probe.stdout)

    assert Path(found["package"]) == site / "synthcert"
    assert found["modules"] == _files(ROOT / "synthcert", "*.py")
    assert found["templates"] == _files(ROOT / "templates")
    assert found["fonts"] == _files(ROOT / "fonts")
    assert found["shape"] == [256, 384, 3]
