"""Cost of lrcli's plot layout (limits measured in pixels, legend and label placement against the curves'
envelopes) against a baseline measured in the same run: the same curves saved as a PNG by bare matplotlib, with
no labels. Prints ratios, asserts nothing.

    python bench/bench_plot.py            # T = 10,000 / 1,000,000 / 10,000,000 steps
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from bench_schedules import _best  # noqa: E402 (this folder is on sys.path when run as a script)
from matplotlib.figure import Figure  # noqa: E402

from lrcli.config import resolve  # noqa: E402
from lrcli.curve import Curve, compute  # noqa: E402
from lrcli.render import render  # noqa: E402


def bare_png(curves: list[Curve]) -> bytes:
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    for curve in curves:
        ax.plot(curve.steps, curve.lr, linewidth=1.6)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def main() -> None:
    for total in (10_000, 1_000_000, 10_000_000):
        curves = [
            compute(resolve([({"lr_scheduler_type": name, "total_steps": total, "warmup_steps": 0.05,
                               "label": name}, "bench")]))
            for name in ("cosine", "linear", "inverse_sqrt")
        ]  # fmt: skip
        for count in (1, 3):
            chosen = curves[:count]
            baseline = _best(lambda chosen=chosen: bare_png(chosen), repeat=2)
            lrcli = _best(lambda chosen=chosen: render(chosen, "png"), repeat=2)
            print(f"T = {total:>10,}, {count} curve{'s' if count > 1 else ' '}: lrcli {lrcli:6.2f} s, "
                  f"bare matplotlib {baseline:6.2f} s, ratio {lrcli / baseline:4.2f}")


if __name__ == "__main__":
    main()
