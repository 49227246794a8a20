"""Golden step plans from a real transformers install, for the rules lrcli cannot test live (4.51.3 floor rule).

Run (transformers 4.51.3 rules, the file tests/test_steps_golden.py reads):
    python -m venv /work/venv-tf451
    /work/venv-tf451/bin/pip install transformers==4.51.3 accelerate==1.15.0 torch==2.13.0 numpy
    /work/venv-tf451/bin/python tools/gen_steps_451.py
The same script, unchanged, was also run under the other rule sets (same pip line, other transformers pin):
    transformers 4.52.4  ceil rule with the 4.x warmup precedence       -> steps_transformers_4.52.4.json
    transformers 5.14.1  warmup_ratio set: it overrides warmup_steps     -> steps_transformers_5.14.1.json
    transformers 5.24.0  (/work/venv) warmup_ratio removed (TypeError)  -> steps_transformers_5.24.0.json
    transformers 5.25.0  with accelerate==1.16.0, the newest releases    -> steps_transformers_5.25.0.json
                         (the same cases and runs as 5.24.0 with accelerate 1.15.0)

Writes tests/data/steps_transformers_<installed version>.json with
- "cases": random (N, b, GA, E, w, drop_last, max_steps, warmup_steps, warmup_ratio) and what
  `Trainer.set_initial_training_values` + `get_warmup_steps` give for each (tools/hf_steps_oracle.py), or the error;
- "runs": a few real `Trainer.train()` runs on one CPU process (a one-weight model), recording `state.global_step`
  and `state.epoch` at the end: where training really stops.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import torch
import transformers
from torch import nn
from transformers import Trainer, TrainingArguments

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hf_steps_oracle import hf_steps  # noqa: E402
from steps_cases import random_cases  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data"
SEED = 451_3

# (samples, batch, grad_accum, epochs, max_steps, why): single-process runs where rounding decides the stop.
RUNS = [
    (40, 4, 3, 2.0, -1, "L=10, GA=3: floor counts 3 updates/epoch, the loop makes 4 (frameworks.md §1.2)"),
    (5, 1, 2, 10.0, -1, "transformers #36297 per process: L=5, GA=2, 10 epochs"),
    (44, 4, 4, 2.3, -1, "L=11, GA=4, E=2.3: float epochs with a partial window"),
    (100, 10, 3, 3.0, 7, "max_steps overrides epochs and stops mid-epoch"),
    (12, 4, 3, 2.0, -1, "L=3 = GA: windows fit exactly (transformers #37777)"),
    (8, 4, 3, 2.0, -1, "L=2 < GA=3: max(…, 1) update per epoch"),
]


class _OneWeight(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": ((self.weight * x - labels) ** 2).mean()}


class _Ones(torch.utils.data.Dataset):
    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {"x": torch.ones(1), "labels": torch.ones(1)}


def real_run(samples: int, batch: int, grad_accum: int, epochs: float, max_steps: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as output_dir:
        args = TrainingArguments(
            output_dir=output_dir,
            per_device_train_batch_size=batch,
            gradient_accumulation_steps=grad_accum,
            num_train_epochs=epochs,
            max_steps=max_steps,
            learning_rate=1e-3,
            report_to=[],
            save_strategy="no",
            logging_strategy="no",
            use_cpu=True,
            disable_tqdm=True,
            remove_unused_columns=False,
        )
        trainer = Trainer(model=_OneWeight(), args=args, train_dataset=_Ones(samples))
        trainer.train()
        return {
            "global_step": trainer.state.global_step,
            "max_steps": trainer.state.max_steps,
            "epoch": trainer.state.epoch,
        }


def main() -> None:
    version = transformers.__version__
    cases = []
    for case in random_cases(500, SEED, fractional_warmup_steps=True, warmup_ratio=True):
        cases.append({"case": case, "trainer": hf_steps(**case)})
    runs = []
    for samples, batch, grad_accum, epochs, max_steps, why in RUNS:
        case = {
            "samples": samples,
            "batch": batch,
            "grad_accum": grad_accum,
            "epochs": epochs,
            "world_size": 1,
            "drop_last": False,
            "max_steps": max_steps,
            "warmup_steps": 0,
            "warmup_ratio": None,
        }
        runs.append({"case": case, "why": why, "trainer": real_run(samples, batch, grad_accum, epochs, max_steps)})
    payload = {
        "generator": "tools/gen_steps_451.py",
        "versions": {
            "transformers": version,
            "accelerate": __import__("accelerate").__version__,
            "torch": torch.__version__,
        },
        "cases": cases,
        "runs": runs,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"steps_transformers_{version}.json"
    path.write_text(json.dumps(payload, indent=0) + "\n")
    print(f"wrote {path}: {len(cases)} cases, {len(runs)} runs")


if __name__ == "__main__":
    main()
