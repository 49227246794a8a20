"""Scheduler arguments of other frameworks that users put in HF `lr_scheduler_kwargs`, with the HF spelling of
what they meant (user-pain E: open-muse #144, `eta_min` did nothing; transformers #34905, warmup in kwargs)."""

from __future__ import annotations

# key -> (whose key it is, what to write for transformers instead)
FOREIGN_KWARGS: dict[str, tuple[str, str]] = {
    "eta_min": ("torch CosineAnnealingLR's", "lr_scheduler_type: cosine_with_min_lr with lr_scheduler_kwargs "
                "{min_lr: <floor>}"),
    "T_max": ("torch CosineAnnealingLR's", "nothing: transformers sizes the schedule from T itself"),
    "total_steps": ("torch OneCycleLR's", "nothing: transformers sizes the schedule from T itself (or max_steps)"),
    "cosine_min_lr_ratio": ("axolotl's (a top-level axolotl key)", "lr_scheduler_type: cosine_with_min_lr with "
                            "lr_scheduler_kwargs {min_lr_rate: <ratio>}"),
    "warmup_min_lr": ("DeepSpeed's", "nothing: HF warmups start at 0"),
    "warmup_max_lr": ("DeepSpeed's", "learning_rate: <peak>"),
    "warmup_num_steps": ("DeepSpeed's", "warmup_steps: <count>"),
    "total_num_steps": ("DeepSpeed's", "nothing: transformers sizes the schedule from T itself (or max_steps)"),
    "num_warmup_steps": ("the Trainer's own argument", "warmup_steps: <count> (the Trainer passes "
                         "num_warmup_steps itself: 'got multiple values')"),
    "num_training_steps": ("the Trainer's own argument", "max_steps: <T> (the Trainer passes num_training_steps "
                           "itself: 'got multiple values')"),
}
