"""docs/img/overlay.png, the README's overlay picture: `lrcli overlay` on the real resumed HF Trainer run of
tests/data/overlay/hf-resumed (tools/gen_overlay_logs.py: 2 epochs saved at step 52, resumed with 3).

Run: .venv/bin/python tools/gen_overlay_picture.py   (the same bytes every time: lrcli's PNGs carry no dates)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = Path("tests/data/overlay/hf-resumed")

if __name__ == "__main__":
    (ROOT / "docs" / "img").mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "lrcli", "overlay", str(CASE / "run"), str(CASE / "config.yaml"),
               "--samples", "256", "--transformers-version", "5.24", "-o", "docs/img/overlay.png"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=os.environ | {"LRCLI_IGNORE_INSTALLED": "1"}, check=False)
    sys.exit(0 if done.returncode == 1 else 1)  # the run differs from its config: overlay exits 1
