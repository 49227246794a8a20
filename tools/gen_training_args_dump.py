"""Real `training_args.json`-style dumps (`TrainingArguments.to_json_string()`, also checked equal to `to_dict()`)
from the INSTALLED transformers, each with the T, W and scheduler kwargs transformers itself computes from them:
T = max_steps (every set has one, so no dataset is needed), W = `args.get_warmup_steps(T)`, kwargs =
`args.lr_scheduler_kwargs` (what `Trainer.create_scheduler` passes to `get_scheduler`).

Writes tests/data/training_args_dumps_<version>.json. Run it under each transformers line to test:

    python tools/gen_training_args_dump.py                      # the venv's transformers (5.25.0; 5.24.0 too)
    python3 -m venv /tmp/v4 && /tmp/v4/bin/pip install transformers==4.51.3 torch accelerate
    /tmp/v4/bin/python tools/gen_training_args_dump.py          # a 4.x line: dumps carry warmup_ratio 0.0

tests/test_configs_fidelity.py reads every such file, and runs `dump_cases()` live against the installed version.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

# Argument sets; the 4.x-only ones use warmup_ratio, which transformers 5.15+ no longer has.
ARGUMENT_SETS: list[dict[str, Any]] = [
    {"max_steps": 200, "warmup_steps": 10},
    {"max_steps": 150, "warmup_steps": 0, "lr_scheduler_type": "cosine_with_min_lr",
     "lr_scheduler_kwargs": {"min_lr_rate": 0.1}},
    {"max_steps": 90, "warmup_steps": 7, "learning_rate": 3e-4, "lr_scheduler_type": "polynomial",
     "lr_scheduler_kwargs": '{"power": "2", "lr_end": "1e-7"}'},
    {"max_steps": 64, "lr_scheduler_type": "cosine_with_restarts", "lr_scheduler_kwargs": {"num_cycles": 3},
     "per_device_train_batch_size": 4, "gradient_accumulation_steps": 2},
]
ARGUMENT_SETS_5X = [
    {"max_steps": 101, "warmup_steps": 0.1, "lr_scheduler_type": "cosine"},
]
ARGUMENT_SETS_4X = [
    {"max_steps": 101, "warmup_ratio": 0.1, "lr_scheduler_type": "cosine"},
    {"max_steps": 80, "warmup_ratio": 0.25, "warmup_steps": 6},  # 4.x: warmup_steps > 0 wins
]


def argument_sets(version: str) -> list[dict[str, Any]]:
    return ARGUMENT_SETS + (ARGUMENT_SETS_4X if version.startswith("4.") else ARGUMENT_SETS_5X)


def dump_cases() -> tuple[str, list[dict[str, Any]]]:
    """(transformers version, one case per argument set: the dump and what transformers computes from it)."""
    import transformers
    from transformers import TrainingArguments

    cases = []
    with tempfile.TemporaryDirectory() as out:
        for given in argument_sets(transformers.__version__):
            args = TrainingArguments(output_dir=out, report_to=[], **given)
            dump = json.loads(args.to_json_string())
            assert dump == json.loads(json.dumps(args.to_dict())), "to_json_string and to_dict disagree"
            dump["output_dir"] = "out"  # the temporary directory is not part of the case
            dump.pop("logging_dir", None)  # a path under output_dir, or a timestamped runs/ folder (4.x)
            total = args.max_steps
            cases.append({
                "given": given,
                "dump": dump,
                "total_steps": total,
                "warmup_steps": args.get_warmup_steps(total),
                "lr_scheduler_type": str(getattr(args.lr_scheduler_type, "value", args.lr_scheduler_type)),
                "lr_scheduler_kwargs": args.lr_scheduler_kwargs or {},
                "learning_rate": args.learning_rate,
            })
    return transformers.__version__, cases


def main() -> None:
    version, cases = dump_cases()
    target = Path(__file__).resolve().parents[1] / "tests" / "data" / f"training_args_dumps_{version}.json"
    target.write_text(json.dumps({"transformers": version, "cases": cases}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target} ({len(cases)} dumps)", file=sys.stderr)


if __name__ == "__main__":
    main()
