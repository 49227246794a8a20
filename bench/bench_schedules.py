"""Speed of lrcli against baselines measured in the same run; prints ratios, asserts nothing.

    python bench/bench_schedules.py            # T = 1,000,000 steps

1. Evaluating a schedule: lrcli's vectorised numpy vs a plain-Python loop over the same per-step formula
   (what stepping a LambdaLR costs at best, without torch's own overhead).
2. Start-up: `lrcli schedules` (no matplotlib) and a CSV table vs `python -c pass`.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time

import numpy as np

from lrcli.schedules import evaluate, get_schedule

T, W = 1_000_000, 10_000


def _best(fn, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def python_loop_cosine() -> list[float]:
    out = []
    for s in range(T + 1):
        if s < W:
            out.append(1e-3 * (float(s) / float(max(1, W))))
        else:
            p = float(s - W) / float(max(1, T - W))
            out.append(1e-3 * max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * p))))
    return out


def lrcli_cosine() -> np.ndarray:
    return evaluate(get_schedule("cosine"), np.arange(T + 1), lr=1e-3, warmup=W, total=T, kwargs={})


def _process(*args: str) -> float:
    return _best(lambda: subprocess.run(args, check=True, capture_output=True), repeat=5)


def main() -> None:
    loop, vec = _best(python_loop_cosine), _best(lrcli_cosine)
    print(f"cosine, T={T:,}: python loop {loop:.3f} s, lrcli {vec:.4f} s -> {loop / vec:.0f}x faster")
    base = _process(sys.executable, "-c", "pass")
    listing = _process(sys.executable, "-m", "lrcli", "schedules")
    table = _process(sys.executable, "-m", "lrcli", "plot", "--total-steps", "100000", "-o", "-")
    png = _process(sys.executable, "-m", "lrcli", "plot", "--total-steps", "1000", "--format", "png", "-o", "/dev/null")
    print(
        f"start-up: python {base:.3f} s; `lrcli schedules` {listing:.3f} s ({listing / base:.1f}x); "
        f"100k-row CSV {table:.3f} s ({table / base:.1f}x); PNG {png:.3f} s ({png / base:.1f}x)"
    )


if __name__ == "__main__":
    main()
