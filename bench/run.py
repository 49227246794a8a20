"""Every speed target of issue 15, each measured side by side with its baseline in this one run; prints the ratios
and whether each meets its target. Asserts nothing (benchmarks are not tests): the README's Performance section
quotes its output.

    python bench/run.py              # about 2 minutes; --quick: fewer repeats
    python bench/run.py --only csv   # one comparison: plot, outline, steps, check, png, csv, eval

Each process is timed from spawn to exit (wall) and its peak resident memory read from the kernel (wait4), so the
interpreter's start-up and every import count, as a user sees them. lrcli's bytecode is compiled first, as `pip
install` compiles an installed package's (and as typer, PyYAML, numpy and matplotlib, the baselines' imports, are
already compiled): with PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise compile lrcli's sources
on every run (about 0.1 s of `lrcli steps`). Wall times are the best of the repeats (the
least disturbed by other load); the runs of a comparison alternate, so drifting load hits both sides alike.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PY = sys.executable
LRCLI = [PY, "-m", "lrcli"]
HERE = Path(__file__).resolve().parent


def run(argv: Sequence[str], cwd: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one process; its output is discarded, a failure stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KB


def side_by_side(a: Sequence[str], b: Sequence[str], repeat: int, cwd: str) -> tuple[tuple[float, float], ...]:
    """Best wall and median peak RSS of `a` and of `b`, run alternately `repeat` times each."""
    runs: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    for _ in range(repeat):
        for side, argv in ((0, a), (1, b)):
            runs[side].append(run(argv, cwd))
    return tuple((min(w for w, _ in r), sorted(m for _, m in r)[len(r) // 2]) for r in runs.values())


RESULTS: list[tuple[str, float, str, bool]] = []


def report(what: str, ratio: float, target: str, met: bool, detail: str) -> None:
    RESULTS.append((what, ratio, target, met))
    print(f"{what}: {ratio:.2f}x (target {target}) {'met' if met else 'MISSED'}  [{detail}]", flush=True)


PLOTS = {
    "cosine_with_restarts": ["--schedule", "cosine_with_restarts", "--kw", "num_cycles=3", "--warmup-steps", "0.01"],
    "StepLR": ["--schedule", "StepLR", "--kw", "step_size={step}", "--kw", "gamma=0.5"],
    "WarmupDecayLR": ["--schedule", "WarmupDecayLR", "--kw", "total_num_steps=auto", "--kw", "warmup_num_steps=auto",
                      "--kw", "warmup_max_lr=auto", "--kw", "warmup_type=linear", "--warmup-steps", "0.01"],
    "OneCycleLR": ["--schedule", "OneCycleLR", "--kw", "pct_start=0.25"],
}


def bench_plot(repeat: int, cwd: str) -> None:
    """A plot of 10^9 steps against the same plot of 10^3: the outline makes the cost independent of T."""
    for name, flags in PLOTS.items():
        argv = {t: [*LRCLI, "plot", *(f.format(step=t // 10) for f in flags), "--total-steps", str(t),
                    "-o", f"{name}_{t}.png"] for t in (10**3, 10**9)}
        (small_wall, small_rss), (big_wall, big_rss) = side_by_side(argv[10**3], argv[10**9], repeat, cwd)
        report(f"plot {name} T=10^9 / T=10^3 wall", big_wall / small_wall, "≤ 1.3", big_wall / small_wall <= 1.3,
               f"{big_wall:.2f} s vs {small_wall:.2f} s")
        report(f"plot {name} T=10^9 / T=10^3 peak RSS", big_rss / small_rss, "≤ 1.3", big_rss / small_rss <= 1.3,
               f"{big_rss:.0f} MB vs {small_rss:.0f} MB")


# Families outlined since stop 20: a closed-form family of torchtitan and of Megatron (breaks), and torch's chained
# classes, whose 10^9-step plots draw torch's closed form (the exact replay is O(T): up to 10^7 steps).
OUTLINE_PLOTS = {
    "torchtitan_wsd": ["--schedule", "torchtitan_wsd", "--kw", "decay_ratio=0.2", "--kw", "decay_type=cosine",
                       "--warmup-steps", "0.01"],
    "megatron_cosine": ["--schedule", "megatron_cosine", "--kw", "increment=512", "--kw", "min_lr=1e-5",
                        "--warmup-steps", "0.01"],
    "CosineAnnealingLR": ["--schedule", "CosineAnnealingLR", "--kw", "eta_min=1e-5"],
    "SequentialLR": ["--schedule", "SequentialLR", "--kw", 'schedulers=[{"name": "CosineAnnealingLR"}]',
                     "--warmup-steps", "0.01"],
}


def bench_outline(repeat: int, cwd: str) -> None:
    """The same 10^9 / 10^3 plot comparison as `bench_plot`, for the families outlined in stop 20."""
    for name, flags in OUTLINE_PLOTS.items():
        argv = {t: [*LRCLI, "plot", *flags, "--total-steps", str(t), "-o", f"{name}_{t}.png"] for t in (10**3, 10**9)}
        (small_wall, small_rss), (big_wall, big_rss) = side_by_side(argv[10**3], argv[10**9], repeat, cwd)
        report(f"plot {name} T=10^9 / T=10^3 wall", big_wall / small_wall, "≤ 1.3", big_wall / small_wall <= 1.3,
               f"{big_wall:.2f} s vs {small_wall:.2f} s")
        report(f"plot {name} T=10^9 / T=10^3 peak RSS", big_rss / small_rss, "≤ 1.3", big_rss / small_rss <= 1.3,
               f"{big_rss:.0f} MB vs {small_rss:.0f} MB")


def bench_steps(repeat: int, cwd: str) -> None:
    """`lrcli steps` against Python importing Typer and PyYAML, which any Typer command reading YAML needs."""
    steps = [*LRCLI, "steps", "--samples", "52002", "--batch", "8", "--world-size", "8", "--warmup-ratio", "0.1"]
    (ours, _), (base, _) = side_by_side(steps, [PY, "-c", "import typer, yaml"], repeat, cwd)
    report("lrcli steps / python -c 'import typer, yaml'", ours / base, "≤ 1.5", ours / base <= 1.5,
           f"{ours:.3f} s vs {base:.3f} s")


def bench_check(repeat: int, cwd: str) -> None:
    """`lrcli check` of a real-shaped config (TRL SFT, cosine_with_min_lr) against `lrcli steps` reading the same
    config: check's curve rules read the peak and final LR from the schedule's scalar twin (no numpy), so checking
    a config costs about what reading it costs."""
    config = str(Path(__file__).resolve().parents[1] / "sample_configs" / "trl_sft.yaml")
    check = [*LRCLI, "check", config, "--samples", "52002"]
    steps = [*LRCLI, "steps", config, "--samples", "52002"]
    (ours, _), (base, _) = side_by_side(check, steps, repeat, cwd)
    report("lrcli check / lrcli steps, the same config", ours / base, "≤ 1.2", ours / base <= 1.2,
           f"{ours:.3f} s vs {base:.3f} s")


BARE_FIGURE = (
    "import matplotlib; matplotlib.use('Agg'); from matplotlib.figure import Figure; fig = Figure(); "
    "ax = fig.add_subplot(); ax.plot([0, 1], [0, 1]); fig.savefig('bare.png')"
)


def bench_png(repeat: int, cwd: str) -> None:
    """`lrcli plot -o x.png` (T = 10^3) against a bare matplotlib Figure of 2 points saved as PNG."""
    plot = [*LRCLI, "plot", "--schedule", "cosine", "--total-steps", "1000", "--warmup-steps", "100", "-o", "x.png"]
    (ours, _), (base, _) = side_by_side(plot, [PY, "-c", BARE_FIGURE], repeat, cwd)
    report("lrcli plot -o x.png / bare 2-point Figure PNG", ours / base, "≤ 1.2", ours / base <= 1.2,
           f"{ours:.3f} s vs {base:.3f} s")


SAVETXT = (
    "import sys, numpy as np; n = int(sys.argv[1]); s = np.arange(n + 1); w = n // 10; "
    "p = (s - w) / max(1, n - w); lr = 5e-5 * np.where(s < w, s / w, np.maximum(0.0, 0.5 * (1 + np.cos(np.pi * p)))); "
    "rows = np.empty((n + 1, 2), dtype=object); rows[:, 0] = s.tolist(); rows[:, 1] = lr.tolist(); "
    "np.savetxt('savetxt.csv', rows, fmt=['%d', '%r'], delimiter=',', header='step,lr', comments='')"
)  # the same cosine table, repr floats (the shortest text that reads back as the same float), as lrcli writes


def bench_csv(repeat: int, cwd: str) -> None:
    """A CSV of 10^6 rows against numpy.savetxt writing the same table with repr floats; memory against 10^3 rows."""
    def table(rows: int) -> list[str]:
        return [*LRCLI, "plot", "--schedule", "cosine", "--total-steps", str(rows - 1), "--warmup-ratio", "0.1",
                "-o", f"lr_{rows}.csv"]

    n = 10**6
    (ours, big_rss), (base, _) = side_by_side(table(n), [PY, "-c", SAVETXT, str(n)], repeat, cwd)
    report("numpy.savetxt / lrcli CSV, 10^6 rows (speed-up)", base / ours, "≥ 2", base / ours >= 2,
           f"{ours:.2f} s vs {base:.2f} s")
    (_, small_rss), (_, big_rss) = side_by_side(table(10**3), table(n), repeat, cwd)
    report("lrcli CSV peak RSS 10^6 / 10^3 rows", big_rss / small_rss, "≤ 1.2", big_rss / small_rss <= 1.2,
           f"{big_rss:.0f} MB vs {small_rss:.0f} MB")


def bench_eval(repeat: int, cwd: str) -> None:
    """lrcli's cosine at 2·10^5 steps against stepping transformers' own scheduler (torch's LambdaLR), same values."""
    import numpy as np
    import torch
    from transformers import get_cosine_schedule_with_warmup

    from lrcli.schedules import evaluate, get_schedule

    total, warmup, lr = 200_000, 2_000, 5e-5
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = get_cosine_schedule_with_warmup(optimizer, warmup, total)
    start = time.perf_counter()
    stepped = [scheduler.get_last_lr()[0]]
    for _ in range(total):
        optimizer.step()
        scheduler.step()
        stepped.append(scheduler.get_last_lr()[0])
    theirs = time.perf_counter() - start
    ours = math.inf
    for _ in range(max(repeat, 5)):
        start = time.perf_counter()
        values = evaluate(get_schedule("cosine"), np.arange(total + 1), lr=lr, warmup=warmup, total=total, kwargs={})
        ours = min(ours, time.perf_counter() - start)
    delta = float(np.max(np.abs(values - np.array(stepped))))
    report("transformers stepping / lrcli evaluate, cosine 2·10^5 steps", theirs / ours, "≥ 2000",
           theirs / ours >= 2000 and delta <= 1e-12 * lr, f"{theirs:.2f} s vs {ours * 1e3:.2f} ms; max |Δ| {delta:.1e}")


BENCHES = {"plot": bench_plot, "outline": bench_outline, "steps": bench_steps, "check": bench_check, "png": bench_png, "csv": bench_csv,
           "eval": bench_eval}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(BENCHES), action="append")
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    import compileall

    import lrcli

    compileall.compile_dir(str(Path(lrcli.__file__).parent), quiet=1)  # as pip does at install
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; best of {repeat}")
    with tempfile.TemporaryDirectory(prefix="lrcli-bench-") as cwd:
        for name in args.only or list(BENCHES):
            BENCHES[name](repeat, cwd)
    met = sum(m for *_, m in RESULTS)
    print(f"{met} of {len(RESULTS)} targets met")


if __name__ == "__main__":
    main()
