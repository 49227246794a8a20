"""axolotl configs (`axolotl train x.yml`; axolotl 0.19.0 `utils/schemas/*.py`, `core/builders/base.py`,
`core/trainers/mixins/scheduler.py`).

Keys: micro_batch_size (default 1), gradient_accumulation_steps (default 1), batch_size, num_epochs (default 1.0),
max_steps, learning_rate (required; a string is converted), lr_scheduler (default cosine), lr_scheduler_kwargs,
warmup_steps | warmup_ratio, lr_quadratic_warmup, cosine_min_lr_ratio, cosine_constant_lr_ratio, sample_packing,
dataloader_drop_last, deepspeed. T and W are axolotl's own (lrcli.steps_axolotl).

The scheduler, first match wins as in `SchedulerMixin.create_scheduler` (none applies when a DeepSpeed scheduler
section exists: axolotl skips its custom ones): one_cycle → torch OneCycleLR(max_lr=lr, total_steps=T,
pct_start=W/T, anneal_strategy="cos", **lr_scheduler_kwargs); rex → RexLR; cosine + lr_quadratic_warmup;
cosine + cosine_min_lr_ratio and cosine_constant_lr_ratio (both truthy); cosine + cosine_min_lr_ratio (truthy);
else the HF scheduler with lr_scheduler_kwargs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading
from lrcli.errors import LrcliError
from lrcli.load import near_miss_notes
from lrcli.values import coerce_number, finite_float

NAME = "axolotl"

# axolotl key -> TrainConfig field
AXOLOTL_KEYS = {
    "micro_batch_size": "per_device_train_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
    "batch_size": "global_batch_size",
    "num_epochs": "num_train_epochs",
    "max_steps": "max_steps",
    "learning_rate": "learning_rate",
    "warmup_steps": "warmup_steps",
    "warmup_ratio": "warmup_ratio",
    "dataloader_drop_last": "dataloader_drop_last",
}
SCHEDULER_KEYS = ("lr_scheduler", "lr_scheduler_kwargs", "lr_quadratic_warmup", "cosine_min_lr_ratio",
                  "cosine_constant_lr_ratio", "sample_packing", "sample_packing_eff_est", "deepspeed")
OTHER_KEYS = ("eval_batch_size", "eval_sample_packing", "evals_per_epoch", "saves_per_epoch", "eval_steps",
              "save_steps", "logging_steps", "max_grad_norm", "lr_div_factor", "sequence_len", "warmup_type")
_AXOLOTL_ONLY = {"micro_batch_size", "num_epochs", "lr_scheduler", "base_model", "sequence_len", "sample_packing",
                 "adapter", "lora_r", "cosine_min_lr_ratio", "special_tokens"}


def claims(raw: Mapping[str, Any]) -> int:
    return 6 if _AXOLOTL_ONLY & set(raw) else 0


def _scheduler(raw: Mapping[str, Any], where: str) -> tuple[str, dict[str, Any], str, str | None]:
    """(registry name, kwargs, source, derive_kwargs rule) of the scheduler axolotl builds."""
    name = raw.get("lr_scheduler") or "cosine"
    kwargs, _ = hf.scheduler_kwargs(raw.get("lr_scheduler_kwargs"), f"{where} key lr_scheduler_kwargs")
    kwargs = kwargs or {}
    min_ratio = raw.get("cosine_min_lr_ratio")
    min_ratio = None if min_ratio is None else finite_float(min_ratio, f"{where} cosine_min_lr_ratio")
    constant = coerce_number(raw.get("cosine_constant_lr_ratio"))
    source = f"{where} key lr_scheduler" + ("" if raw.get("lr_scheduler") else " (absent: axolotl default cosine)")
    if name == "one_cycle":
        extra = {"anneal_strategy": "cos"} if "anneal_strategy" not in kwargs else {}
        return "OneCycleLR", {**extra, **kwargs}, source, "axolotl_one_cycle"
    if name == "rex":
        return "axolotl_rex", ({"cosine_min_lr_ratio": min_ratio} if min_ratio is not None else {}), source, None
    if name == "cosine" and raw.get("lr_quadratic_warmup") is True:
        return "axolotl_cosine_quadratic_warmup", {}, f"{where} keys lr_scheduler + lr_quadratic_warmup", None
    if name == "cosine" and min_ratio and constant:
        ratios = {"cosine_min_lr_ratio": min_ratio, "cosine_constant_lr_ratio": constant}
        return "axolotl_cosine_min_lr_constant", ratios, f"{where} keys cosine_min_lr_ratio + cosine_constant_lr_ratio", None
    if name == "cosine" and min_ratio:
        return "axolotl_cosine_min_lr", {"cosine_min_lr_ratio": min_ratio}, f"{where} key cosine_min_lr_ratio", None
    return name, kwargs, source, None


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    where = path.name
    if raw.get("learning_rate") is None:
        raise LrcliError(f"{where}: axolotl requires learning_rate (its config validation fails without it)")
    if raw.get("sample_packing") and raw.get("sample_packing_eff_est"):
        raise LrcliError(
            f"{where}: with sample_packing_eff_est axolotl counts steps from the dataset's total tokens, which lrcli "
            "does not know; give --total-steps (axolotl logs total_num_steps) or remove sample_packing_eff_est"
        )
    values: dict[str, Any] = {"framework": NAME, "transformers_version": "5.16.1"}
    sources = {"framework": f"{where} (axolotl counts its own steps)",
               "transformers_version": "axolotl 0.19.0 requires transformers == 5.16.1"}
    notes: tuple[str, ...] = ()
    for key, name in AXOLOTL_KEYS.items():
        if raw.get(key) is not None:
            values[name], sources[name] = coerce_number(raw[key]), f"{where} key {key}"
    if "gradient_accumulation_steps" in raw and raw["gradient_accumulation_steps"] is None and raw.get("batch_size"):
        mbs = values.get("per_device_train_batch_size", 1)
        values["gradient_accumulation_steps"] = int(coerce_number(raw["batch_size"])) // int(mbs)
        sources["gradient_accumulation_steps"] = f"{where} batch_size // micro_batch_size"
    if raw.get("warmup_steps") is not None and raw.get("warmup_ratio") is not None:
        raise LrcliError(f"{where}: axolotl rejects warmup_steps together with warmup_ratio; keep one")
    if raw.get("sample_packing") is True:
        values["packing"], sources["packing"] = True, f"{where} key sample_packing"
    if raw.get("rl") == "grpo":
        values["framework"], sources["framework"] = "hf", f"{where} key rl: grpo (TRL/HF count the steps)"
        notes += ("axolotl GRPO: T is counted by TRL/HF, whose generation batching lrcli does not model",)
    name, kwargs, source, derive = _scheduler(raw, where)
    values["lr_scheduler_type"], sources["lr_scheduler_type"] = name, source
    if kwargs:
        values["lr_scheduler_kwargs"], sources["lr_scheduler_kwargs"] = kwargs, source
    if derive:
        values["derive_kwargs"], sources["derive_kwargs"] = derive, source
    if raw.get("deepspeed") is not None:
        ds_values, ds_sources, ds_notes = deepspeed.referenced(raw["deepspeed"], path)
        if "lr_scheduler_type" in ds_values:
            values.pop("lr_scheduler_kwargs", None)
            values.pop("derive_kwargs", None)
            if name.startswith("axolotl_"):
                notes += (f"axolotl's {name} is not used: the DeepSpeed scheduler section takes its place",)
        values.update(ds_values)
        sources.update(ds_sources)
        notes += ds_notes
    notes += near_miss_notes(raw, (*AXOLOTL_KEYS, *SCHEDULER_KEYS), OTHER_KEYS, path)
    values["dialect"], sources["dialect"] = NAME, f"{where} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes)
