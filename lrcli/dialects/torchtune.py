"""torchtune recipe configs (`tune run <recipe> --config x.yaml`; torchtune 0.6.1).

Read: `optimizer.lr`, `lr_scheduler._component_` and its arguments, `batch_size`, `epochs`, `max_steps_per_epoch`,
`gradient_accumulation_steps`, `tensor_parallel_dim` (full_finetune_distributed: the data-parallel world is
world // tensor_parallel_dim), and the dev GRPO recipe's `num_steps`. Only these paths are read, so nested keys
such as `profiler.warmup_steps` never count as LR settings. No `lr_scheduler` means a constant LR.
`torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup` is HF's cosine (same lambda, num_cycles 0.5);
a `torch.optim.lr_scheduler.X` component is the torch class X with its arguments. OmegaConf `${key}`
interpolations of top-level keys are followed; OmegaConf reads `2e-5` as a float.

Data (counted for N; lrcli.steps.torchtune has the row rule): `dataset:` is one builder or a list of them (a
ConcatDataset). Each builder loads `load_dataset(source, split=split, **other arguments)`; BUILDERS gives the
source and fixed load arguments each torchtune 0.6.1 builder uses (`torchtune/datasets/*.py`), the generic ones
(instruct/chat/preference/text_completion) take `source` from the config, and `source: json` + `data_files` reads
local files. `packed: True` trains on packed sequences of max_seq_len tokens: N is then not the count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.data.refs import DataEntry, DatasetRef, DataSpec, data_files_pairs
from lrcli.dialects.reading import Reading, near_miss_notes
from lrcli.errors import LrcliError
from lrcli.inputs.values import coerce_number, whole_number

NAME = "torchtune"

COSINE_COMPONENTS = (
    "torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup",
    "torchtune.training.get_cosine_schedule_with_warmup",
    "torchtune.modules.get_cosine_schedule_with_warmup",
)
TORCH_PREFIX = "torch.optim.lr_scheduler."
TOP_KEYS = {"batch_size": "per_device_train_batch_size", "epochs": "num_train_epochs",
            "max_steps_per_epoch": "max_steps_per_epoch",
            "gradient_accumulation_steps": "gradient_accumulation_steps", "num_steps": "max_steps"}
OTHER_KEYS = ("tensor_parallel_plan", "batch_size_val", "forward_batch_size", "ppo_epochs", "save_every_n_epochs",
              "log_every_n_steps")
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][\w]*)\}")

# builder component -> (default source, fixed load_dataset arguments) in torchtune 0.6.1 and the dev GRPO recipe
# (torchtune/dev/grpo/gsm8k.py at bd2a0fc: source openai/gsm8k, name "main"). Generic builders have no default.
BUILDERS: dict[str, tuple[str | None, dict[str, str]]] = {
    "alpaca_dataset": ("tatsu-lab/alpaca", {}),
    "alpaca_cleaned_dataset": ("yahma/alpaca-cleaned", {}),
    "stack_exchange_paired_dataset": ("lvwerra/stack-exchange-paired", {"data_dir": "data/rl"}),
    "slimorca_dataset": ("Open-Orca/SlimOrca-Dedup", {}),
    "samsum_dataset": ("Samsung/samsum", {}),
    "grammar_dataset": ("liweili/c4_200m", {}),
    "hh_rlhf_helpful_dataset": ("RLHFlow/HH-RLHF-Helpful-standard", {}),
    "cnn_dailymail_articles_dataset": ("ccdv/cnn_dailymail", {"name": "3.0.0"}),
    "wikitext_dataset": ("EleutherAI/wikitext_document_level", {"name": "wikitext-103-v1"}),
    "gsm8k_dataset": ("openai/gsm8k", {"name": "main"}),
    "instruct_dataset": (None, {}), "chat_dataset": (None, {}), "preference_dataset": (None, {}),
    "text_completion_dataset": (None, {}),
}  # fmt: skip


def claims(raw: Mapping[str, Any]) -> int:
    return 10 if any(isinstance(value, Mapping) and "_component_" in value for value in raw.values()) else 0


def _value(raw: Mapping[str, Any], value: Any) -> Any:
    if isinstance(value, str):
        match = _INTERPOLATION.fullmatch(value.strip())
        if match and match.group(1) in raw:
            return _value(raw, raw[match.group(1)])
    return coerce_number(value)


def read_data(raw: Mapping[str, Any], path: Path) -> DataSpec | None:
    """The `dataset:` builder(s) of a recipe config as load_dataset calls (see the module docstring)."""
    given = raw.get("dataset")
    if given is None:
        return None
    where = f"{path.name} key dataset"
    builders = given if isinstance(given, list) else [given]
    entries = []
    for i, builder in enumerate(builders):
        at = f"{where}[{i}]" if isinstance(given, list) else where
        component = builder.get("_component_") if isinstance(builder, Mapping) else None
        if not isinstance(component, str):
            raise LrcliError(f"{at} needs a _component_ naming a dataset builder")
        short = component.rsplit(".", 1)[-1]
        if short not in BUILDERS:
            return DataSpec("torchtune", (), {}, where, f"{at}: builder {component} is not one lrcli knows the data of")
        if _value(raw, builder.get("packed")) is True:
            return DataSpec("torchtune", (), {}, where, f"{at}: packed: True trains on packed sequences of max_seq_len "
                                                        "tokens, which lrcli cannot count: give --samples <packs>")
        if builder.get("filter_fn") is not None:
            return DataSpec("torchtune", (), {}, where, f"{at}: filter_fn drops rows lrcli cannot predict")
        default_source, fixed = BUILDERS[short]
        source = _value(raw, builder.get("source")) or default_source
        if not isinstance(source, str):
            raise LrcliError(f"{at}: {short} needs a source (a Hub id, or json/csv/parquet with data_files)")
        name = _value(raw, builder.get("name", builder.get("subset", fixed.get("name"))))
        ref = DatasetRef(
            source, name=None if name is None else str(name), split=str(_value(raw, builder.get("split")) or "train"),
            data_dir=builder.get("data_dir", fixed.get("data_dir")), data_files=data_files_pairs(builder.get("data_files")),
            revision=builder.get("revision"), where=at, roots=(Path.cwd(), path.parent),
        )
        options = {"partition": str(builder["partition"])} if builder.get("partition") is not None else {}
        entries.append(DataEntry(ref, options))
    return DataSpec("torchtune", tuple(entries), {}, where)


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    where = path.name
    values: dict[str, Any] = {"framework": NAME}
    sources = {"framework": f"{where} (torchtune recipe)"}
    notes: tuple[str, ...] = ()
    optimizer = raw.get("optimizer")
    if not isinstance(optimizer, Mapping) or optimizer.get("lr") is None:
        raise LrcliError(f"{where}: no optimizer.lr; torchtune configs set the LR there")
    values["learning_rate"], sources["learning_rate"] = _value(raw, optimizer["lr"]), f"{where} key optimizer.lr"
    for key, name in TOP_KEYS.items():
        if raw.get(key) is not None:
            values[name], sources[name] = _value(raw, raw[key]), f"{where} key {key}"
    tp = raw.get("tensor_parallel_dim")
    if tp is not None:
        tp = whole_number(_value(raw, tp), f"{where} key tensor_parallel_dim", minimum=1)
        if tp > 1 and raw.get("tensor_parallel_plan") is None:
            raise LrcliError(f"{where}: tensor_parallel_dim {tp} needs a tensor_parallel_plan (the recipe raises "
                             "ValueError without one)")
        values["trainer_options"] = {"tensor_parallel_dim": tp}
        sources["trainer_options"] = f"{where} key tensor_parallel_dim (full_finetune_distributed)"
    if "num_steps" in raw:
        values["trainer"], sources["trainer"] = "grpo", f"{where} key num_steps (dev GRPO recipe)"
    scheduler = raw.get("lr_scheduler")
    if scheduler is None:
        values["lr_scheduler_type"], sources["lr_scheduler_type"] = "constant", f"{where} (no lr_scheduler)"
    else:
        component = scheduler.get("_component_") if isinstance(scheduler, Mapping) else None
        args = {k: _value(raw, v) for k, v in scheduler.items() if k != "_component_"} if component else {}
        source = f"{where} key lr_scheduler._component_"
        if component in COSINE_COMPONENTS:
            values["lr_scheduler_type"], sources["lr_scheduler_type"] = "cosine", source
            warmup = args.pop("num_warmup_steps", None)
            if warmup is None:
                raise LrcliError(f"{where}: lr_scheduler needs num_warmup_steps (a required argument)")
            values["warmup_steps"], sources["warmup_steps"] = warmup, f"{where} key lr_scheduler.num_warmup_steps"
        elif isinstance(component, str) and component.startswith(TORCH_PREFIX):
            values["lr_scheduler_type"], sources["lr_scheduler_type"] = component[len(TORCH_PREFIX):], source
        else:
            raise LrcliError(f"{where}: lr_scheduler component {component!r} is not one lrcli models; "
                             f"it reads {COSINE_COMPONENTS[0]} and torch.optim.lr_scheduler classes")
        if args:
            values["lr_scheduler_kwargs"] = args
            sources["lr_scheduler_kwargs"] = f"{where} key lr_scheduler arguments"
    notes += near_miss_notes(raw, (*TOP_KEYS, "tensor_parallel_dim"), OTHER_KEYS, path)
    values["dialect"], sources["dialect"] = NAME, f"{where} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, data=read_data(raw, path))
