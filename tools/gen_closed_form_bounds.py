"""How far torch's closed forms are from its chained steps -> tests/data/closed_form_bounds.json.

A plot of a chained torch scheduler (LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR) longer than
lrcli.curve.EXACT_REPLAY_ROWS is drawn from the class's `_get_closed_form_lr` formula (lrcli.schedules.pytorch
`CLOSED_FORMS`) instead of replaying every `step()`; lrcli then says on stderr by how much the drawn LR may differ
(`CLOSED_FORM_BOUNDS`). This script measures that: for random settings (seeded) at T = 10^4 … 10^8 it replays the
chain step by step (lrcli's block replay, the same float operations as torch's `get_lr`; the first `--check` steps of
every case are compared with torch itself, stepped, and must be identical) and evaluates the closed form lrcli draws,
and records max |closed form − replay| / max |replay| per case. Needs torch (the oracle extra). Heavy (T = 10^8 cases
replay 10^8 steps each); CI only reads the output.

    .venv/bin/python tools/gen_closed_form_bounds.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lrcli.schedules import SCHEDULES, bind_kwargs  # noqa: E402
from lrcli.schedules.pieces import full_params  # noqa: E402
from lrcli.schedules.pytorch import CLOSED_FORMS, Origin, replay, resolved_params  # noqa: E402
from lrcli.schedules.types import Level  # noqa: E402

OUT = ROOT / "tests" / "data" / "closed_form_bounds.json"


def settings(name: str, total: int, rng: random.Random) -> dict:
    """Random constructor arguments whose chain runs over the whole run (a short one is replayed, never drawn)."""
    if name == "LinearLR":
        start = rng.choice([1e-3, 0.01, 0.1, 1 / 3, 1.0])
        end = rng.choice([e for e in (0.0, 0.05, 1.0, rng.uniform(0, 1)) if e != start])  # a flat chain tells nothing
        return {"start_factor": start, "end_factor": end, "total_iters": rng.randint(total // 2, total)}
    if name == "ExponentialLR":
        return {"gamma": 1.0 - 10 ** rng.uniform(-2, 0) / total}  # from ×0.99 to ×0.37 over the run
    if name == "PolynomialLR":
        return {"total_iters": rng.randint(total // 2, total), "power": rng.choice([0.5, 1.0, 2.0, rng.uniform(0.1, 3)])}
    period = rng.choice([total, total // 2 + 1, max(1, total // 7), rng.randint(max(1, total // 50), total)])
    return {"T_max": period, "eta_min": rng.choice([0.0, 1e-6, 1e-5])}


def torch_steps(name: str, lr: float, kwargs: dict, count: int) -> np.ndarray:
    """torch itself: the lr after 0 … count step() calls."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
        out = [optimizer.param_groups[0]["lr"]]
        for _ in range(count):
            optimizer.step()
            scheduler.step()
            out.append(optimizer.param_groups[0]["lr"])
    return np.array(out)


def measure(name: str, lr: float, total: int, kwargs: dict, check: int) -> dict:
    schedule = SCHEDULES[name]
    params = full_params(schedule.fn, bind_kwargs(schedule, kwargs))
    p = resolved_params(name, params, lr=lr, length=total)
    values, _turns, _bound, _why = CLOSED_FORMS[name](params, lr=lr, warmup=0, total=total, last=total,
                                                        always=True)
    start, worst, peak, checked = 0, 0.0, 0.0, None
    began = time.perf_counter()
    for block in replay(name, total, Origin(base=lr, lr=lr), p):
        exact = np.full(block.count, block.value) if isinstance(block, Level) else block
        steps = np.arange(start, start + len(exact), dtype=np.int64)
        if checked is None:
            theirs = torch_steps(name, lr, kwargs, min(check, total))
            same = exact[: len(theirs)]
            checked = bool(np.array_equal(same, theirs[: len(same)]))
            if not checked:
                raise SystemExit(f"{name} {kwargs}: lrcli's replay differs from torch's steps")
        worst = max(worst, float(np.max(np.abs(values(steps) - exact))))
        peak = max(peak, float(np.max(np.abs(exact))))
        start += len(exact)
    return {"schedule": name, "lr": lr, "total": total, "kwargs": kwargs, "max_abs_delta": worst, "peak": peak,
            "relative": worst / peak if peak else 0.0, "torch_checked_steps": min(check, total),
            "seconds": round(time.perf_counter() - began, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to T = 10^6 only")
    parser.add_argument("--check", type=int, default=20_000, help="steps of each case compared with torch itself")
    args = parser.parse_args()
    rng = random.Random(20)
    plan = {10**4: 12, 10**5: 8, 10**6: 5, 10**7: 3, 10**8: 2}  # cases per family at each T
    cases = []
    for total, count in plan.items():
        if args.quick and total > 10**6:
            continue
        for name in CLOSED_FORMS:
            for _ in range(count):
                lr = rng.choice([1e-3, 3e-4, 5e-5, 1.0])
                case = measure(name, lr, total, settings(name, total, rng), args.check)
                print(json.dumps(case), flush=True)
                cases.append(case)
    worst = {name: max(c["relative"] for c in cases if c["schedule"] == name) for name in CLOSED_FORMS}
    by_total = {name: {str(t): max((c["relative"] for c in cases if c["schedule"] == name and c["total"] == t),
                                   default=None) for t in plan} for name in CLOSED_FORMS}
    OUT.write_text(json.dumps({"torch": torch.__version__, "worst_relative": worst, "worst_by_total": by_total,
                               "cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT}: {len(cases)} cases; worst {worst}")


if __name__ == "__main__":
    main()
