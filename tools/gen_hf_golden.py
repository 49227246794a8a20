"""Write tests/data/hf_golden.json: every HF lr_scheduler_type stepped by transformers itself.

Run from the repository root, in an environment with the oracle versions:
    pip install torch==2.13.0 transformers==5.25.0 accelerate==1.16.0
    python tools/torch_release_scheduler.py 2.15.0 tools/gen_hf_golden.py   # LambdaLR of torch 2.15.0 (or: without
                                                                            # the wrapper, the installed torch's)
The committed file is that run; transformers 5.24.0 over torch 2.13.0's own scheduler gave the same cases.
Each case records the inputs and either the LR after s = 0 … T scheduler steps, or the exception
transformers raised (then lrcli must refuse the same input). Review the diff of the JSON like code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hf_reference import hf_curve  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "hf_golden.json"

# (total T, warmup W) pairs: ordinary runs plus the edges T=1, W=0, W=T, W>T, W=1.
SHAPES = [(1000, 100), (1, 0), (1, 1), (7, 0), (10, 10), (10, 3), (37, 1), (12, 15), (250, 25), (3, 2)]

KWARGS: dict[str, list[dict[str, Any]]] = {
    "linear": [{}],
    "cosine": [{}, {"num_cycles": 2}, {"num_cycles": 1.5}, {"num_cycles": 0.25}],
    "cosine_with_restarts": [{}, {"num_cycles": 3}, {"num_cycles": 5}],
    "polynomial": [{}, {"power": 2.0}, {"power": 0.5, "lr_end": 1e-5}, {"lr_end": 0.0, "power": 3}],
    "constant": [{}],
    "constant_with_warmup": [{}],
    "inverse_sqrt": [{}, {"timescale": 50}, {"timescale": 7.5}],
    "cosine_with_min_lr": [{"min_lr_rate": 0.1}, {"min_lr": 1e-5}, {"min_lr_rate": 0.05, "num_cycles": 1.0}],
    "cosine_warmup_with_min_lr": [
        {"min_lr_rate": 0.1},
        {"min_lr": 2e-5, "warmup_lr_rate": 0.1},
        {"min_lr_rate": 0.0, "warmup_lr_rate": 0.0, "num_cycles": 1},
    ],
    "warmup_stable_decay": [
        {"num_decay_steps": 3},
        {"num_decay_steps": 4, "num_stable_steps": 2, "min_lr_ratio": 0.1},
        {"num_decay_steps": 5, "warmup_type": "cosine", "decay_type": "linear", "min_lr_ratio": 0.05},
        {"num_decay_steps": 5, "warmup_type": "1-sqrt", "decay_type": "1-sqrt"},
        {"num_decay_steps": 6, "decay_type": "cosine", "num_cycles": 1.0, "min_lr_ratio": 0.2},
    ],
}

# Inputs transformers refuses; lrcli must refuse them too.
ERROR_CASES: list[tuple[str, int, int, dict[str, Any]]] = [
    ("polynomial", 100, 10, {"lr_end": 1e-3}),  # lr_end == lr
    ("polynomial", 100, 10, {"lr_end": 5e-3}),  # lr_end > lr
    ("polynomial", 10, 10, {}),  # T == W: division by zero at the last step
    ("cosine_with_min_lr", 100, 10, {}),  # neither min_lr nor min_lr_rate
    ("cosine_with_min_lr", 100, 10, {"min_lr": 1e-5, "min_lr_rate": 0.1}),  # both
    ("cosine_warmup_with_min_lr", 100, 10, {}),
    ("cosine", 100, 10, {"eta_min": 0.0}),  # unknown kwarg
    ("linear", 100, 10, {"num_cycles": 2}),
    ("warmup_stable_decay", 100, 10, {}),  # num_decay_steps is required
    ("warmup_stable_decay", 100, 10, {"num_decay_steps": 5, "decay_type": "exp"}),
    ("inverse_sqrt", 100, 10, {"timescale": 0}),
]

LR = 1e-3


def _case(name: str, total: int, warmup: int, kwargs: dict[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = {"name": name, "lr": LR, "total": total, "warmup": warmup, "kwargs": kwargs}
    try:
        case["values"] = hf_curve(name, lr=LR, warmup=warmup, total=total, kwargs=kwargs)
    except (ValueError, TypeError, ZeroDivisionError) as exc:
        case["error"] = type(exc).__name__
    return case


def main() -> None:
    import torch
    import transformers
    from torch.optim import lr_scheduler
    from torch_release_scheduler import release_of

    cases = [_case(n, t, w, kw) for n, variants in KWARGS.items() for kw in variants for t, w in SHAPES]
    cases += [_case(n, t, w, kw) for n, t, w, kw in ERROR_CASES]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "transformers": transformers.__version__,
        # whose LambdaLR stepped the cases: the installed torch's, or tools/torch_release_scheduler.py's swap
        "torch_lr_scheduler": release_of(lr_scheduler, torch.__version__),
        "generator": "tools/gen_hf_golden.py",
        "cases": cases,
    }
    OUT.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    errors = sum("error" in c for c in cases)
    print(f"wrote {OUT}: {len(cases)} cases ({errors} where transformers raises)")


if __name__ == "__main__":
    main()
