"""An accelerate launcher config (`accelerate launch --config_file`) into the world size the run trains with."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.errors import LrcliError
from lrcli.inputs.files import load_mapping
from lrcli.inputs.values import whole_number

# accelerate `DistributedType`s that `accelerate launch` starts through torchrun / deepspeed / an XLA launcher with
# num_processes processes (`commands/launch.py` `_validate_launch_command`, `launch_command`).
ACCELERATE_MULTI_PROCESS = frozenset({
    "MULTI_GPU", "MULTI_NPU", "MULTI_MLU", "MULTI_SDAA", "MULTI_MUSA", "MULTI_XPU", "MULTI_HPU", "MULTI_NEURON",
    "DEEPSPEED", "FSDP", "MEGATRON_LM", "XLA",
})  # fmt: skip


def accelerate_world_size(path: Path, flags: Mapping[str, Any] | None = None) -> tuple[int, str]:
    """The number of processes `accelerate launch --config_file path [flags]` trains with (accelerate 1.15–1.16).

    `flags` are launch flags given beside the file (`num_processes`, `num_machines`: TRL passes a config's leftover
    keys so), which win over the file's values as in `_validate_launch_command`.
    """
    return launched_world_size(load_mapping(path), flags or {}, path.name)


def launched_world_size(config: Mapping[str, Any] | None, flags: Mapping[str, Any], name: str) -> tuple[int, str]:
    """World size of `accelerate launch` from its config file mapping (None: no file) and launch flags.

    `distributed_type: NO` runs the plain `simple_launcher`: one process, whatever num_processes says. The
    multi-process types pass num_processes (the total over all machines) on, split as num_processes // num_machines
    per machine (`utils/launch.py` `prepare_multi_gpu_env`, `prepare_deepspeed_cmd_env`), so the world is
    num_machines · (num_processes // num_machines). Without a file, num_processes > 1 turns multi-GPU on (on a
    machine with GPUs). MULTI_CPU (mpirun) and SageMaker are not modelled.
    """
    config = config or {}
    where = f"accelerate config {name}" if config else name
    kind = "MULTI_GPU"
    if config:
        if config.get("distributed_type") is None:
            raise LrcliError(f"{where}: no distributed_type key (accelerate requires one)")
        kind = str(config["distributed_type"]).upper()
        if kind == "NO":
            return 1, f"{name} distributed_type NO (one process, whatever num_processes says)"
        environment = config.get("compute_environment", "LOCAL_MACHINE")
        if kind not in ACCELERATE_MULTI_PROCESS or environment != "LOCAL_MACHINE":
            raise LrcliError(
                f"{where}: distributed_type {kind} on {environment} is not modelled (lrcli knows NO and the "
                "multi-GPU, DeepSpeed, FSDP, Megatron-LM and XLA launchers); pass --world-size"
            )
    processes = flags.get("num_processes")
    if processes is None:
        processes = config.get("num_processes")
    if processes is None or processes == -1:
        raise LrcliError(f"{where}: no num_processes, so accelerate needs --num_processes: pass --world-size")
    processes = whole_number(processes, f"{where} num_processes", minimum=1)
    machines = flags.get("num_machines", config.get("num_machines", 1))
    machines = whole_number(machines, f"{where} num_machines", minimum=1)
    if kind == "MULTI_GPU" and not config and processes == 1:
        return 1, f"{name} num_processes 1"
    if machines <= 1:
        return processes, f"{name} num_processes {processes} ({kind})"
    if processes < machines:
        raise LrcliError(f"{where}: num_processes {processes} < num_machines {machines}: no process per machine")
    per_machine = processes // machines
    return machines * per_machine, (
        f"{name} num_machines · (num_processes // num_machines) = {machines} · ({processes} // {machines}) ({kind})"
    )
