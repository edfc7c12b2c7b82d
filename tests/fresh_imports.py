"""What a fresh interpreter imports: the heavy libraries a code path must not pull in (each costs its start)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("tensorflow", "keras", "albumentations", "scipy")


def heavy_imports(code: str, modules=HEAVY) -> list[str]:
    """Runs `code` in a new interpreter (in the current folder, the repository's root under pytest) and returns
    which of `modules` (sorted) it had imported at the end."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(set({list(modules)!r}) & set(sys.modules))))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])
