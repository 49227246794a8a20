"""`lrcli check` on a repository of 1,000 configs (issue 13): one process for all of them against one process per
config (extrapolated from a sample of start-ups), measured in the same run; prints times and the ratio, asserts
nothing.

    .venv/bin/python bench/bench_check.py            # --configs N to change the repository's size

The repository: the sample and real configs of this project (every dialect, DeepSpeed files referenced from
training configs) copied with varied values (max_steps, warmup, eval_steps, schedules), plus launcher configs and
non-config YAML that the search skips, spread over nested directories.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LRCLI = [sys.executable, "-m", "lrcli"]

HF = "output_dir: out\nlearning_rate: {lr}\nmax_steps: {t}\nwarmup_steps: {w}\nlr_scheduler_type: {s}\neval_strategy: steps\neval_steps: {e}\n"
AXOLOTL = "base_model: m\nmicro_batch_size: 2\nlearning_rate: {lr}\nmax_steps: {t}\nwarmup_steps: {w}\nlr_scheduler: cosine\ncosine_min_lr_ratio: 0.1\n"
SCHEDULES = ("linear", "cosine", "constant_with_warmup", "cosine_with_restarts", "inverse_sqrt")


def build(folder: Path, count: int) -> None:
    """`count` training configs in nested folders, plus files the search skips."""
    samples = sorted((ROOT / "sample_configs").glob("*.y*ml")) + sorted((ROOT / "sample_configs").glob("*.json"))
    for i in range(count):
        sub = folder / f"team{i % 7}" / f"run{i % 13}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 5 == 4:  # a sample config of another dialect, its referenced files beside it
            source = samples[i % len(samples)]
            shutil.copy(source, sub / f"{i}_{source.name}")
            for extra in ("deepspeed_warmup_decay.json", "axolotl_deepspeed_zero2.json"):
                if not (sub / extra).exists():
                    shutil.copy(ROOT / "sample_configs" / extra, sub / extra)
            continue
        t = 50 + 37 * i % 5000
        template = AXOLOTL if i % 3 == 0 else HF
        (sub / f"{i}.yaml").write_text(template.format(lr=2e-5 * (1 + i % 4), t=t, w=(i * 11) % (t + 10),
                                                       s=SCHEDULES[i % len(SCHEDULES)], e=100 * (1 + i % 9)))
    (folder / "accelerate.yaml").write_text("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\n")
    (folder / ".github").mkdir()
    (folder / ".github" / "ci.yml").write_text("on: push\n")


def _run(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([*LRCLI, "check", *args, "--format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=1000)
    parser.add_argument("--startups", type=int, default=10, help="separate processes timed for the extrapolation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build(folder, args.configs)
        files = sorted(folder.rglob("*.y*ml")) + sorted(folder.rglob("*.json"))
        one = min(_run(str(folder)) for _ in range(2))
        sample = [str(f) for f in files if ".github" not in str(f)][: args.startups]
        each = sum(_run(path) for path in sample) / len(sample)
    print(f"{args.configs} configs ({len(files)} files) in one process: {one:.2f} s "
          f"({one / args.configs * 1000:.1f} ms per config)")
    print(f"one process per config: {each:.2f} s each, {each * args.configs:.0f} s for all (extrapolated from "
          f"{len(sample)}); one process is {each * args.configs / one:.0f}× faster")


if __name__ == "__main__":
    main()
