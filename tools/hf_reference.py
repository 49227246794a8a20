"""Step the real transformers schedulers: the reference the HF-family parity tests compare against.

Needs torch and transformers (the oracle versions: torch 2.13.0, transformers 5.24.0). Used by
tools/gen_hf_golden.py and by tests/test_parity_hf_oracle.py.
"""

from __future__ import annotations

from typing import Any


def hf_curve(name: str, *, lr: float, warmup: int, total: int, kwargs: dict[str, Any]) -> list[float]:
    """`get_last_lr()[0]` after s = 0 … T calls to `scheduler.step()`, from transformers' own `get_scheduler`."""
    import warnings

    import torch
    from transformers import get_scheduler

    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr)
    with warnings.catch_warnings():
        # WSD warns when num_stable_steps overrides T; the values are what we record
        warnings.simplefilter("ignore")
        scheduler = get_scheduler(
            name,
            optimizer,
            num_warmup_steps=warmup,
            num_training_steps=total,
            scheduler_specific_kwargs=dict(kwargs),
        )
        values = [float(scheduler.get_last_lr()[0])]
        for _ in range(total):
            optimizer.step()
            scheduler.step()
            values.append(float(scheduler.get_last_lr()[0]))
    return values
