"""axolotl's and torchtune's step counts vs their own code, over random inputs (hypothesis).

axolotl: `calculate_total_num_steps` and `_configure_warmup_and_logging`, extracted from the axolotl 0.19.0 wheel
and executed as shipped (tools/framework_code.py `extract`) from the pinned source (tools/framework_sources.py).
torchtune: torch's real DataLoader + DistributedSampler length.
"""

from __future__ import annotations

import math
import sys
import types
from pathlib import Path

import pytest
from conftest import framework_source, oracle_import, run_json
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.config import resolve
from lrcli.steps import plan_steps

TOOLS = Path(__file__).resolve().parents[1] / "tools"


@pytest.fixture(scope="module")
def axolotl_functions():
    axolotl = framework_source("axolotl")
    oracle_import("torch")
    sys.path.insert(0, str(TOOLS))
    from framework_code import extract

    quiet = types.SimpleNamespace(debug=lambda *a, **k: None, info=lambda *a, **k: None)
    count = extract(axolotl / "utils/trainer.py", "calculate_total_num_steps", {"math": math, "LOG": quiet})
    warmup = extract(axolotl / "core/builders/base.py", "_configure_warmup_and_logging", {},
                     class_name="TrainerBuilderBase")
    return count, warmup


@pytest.mark.oracle
@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 20000), mbs=st.integers(1, 16), ga=st.integers(1, 16), world=st.sampled_from([1, 2, 3, 8]),
    epochs=st.sampled_from([1.0, 2.0, 2.5, 3.0, 0.3]), max_steps=st.one_of(st.none(), st.integers(1, 3000)),
    warmup=st.one_of(st.none(), st.tuples(st.just("steps"), st.integers(0, 200)),
                     st.tuples(st.just("ratio"), st.floats(0, 0.5))),
)
def test_axolotl_steps_match_axolotl(axolotl_functions, n, mbs, ga, world, epochs, max_steps, warmup) -> None:
    count, configure = axolotl_functions
    from framework_code import Cfg

    cfg = Cfg(micro_batch_size=mbs, gradient_accumulation_steps=ga, num_epochs=epochs, max_steps=max_steps,
              skip_prepare_dataset=True)
    cfg.batch_size = mbs * ga * world  # normalize_config with WORLD_SIZE = world (ddp on when world != 1)
    layers = [({"framework": "axolotl", "per_device_train_batch_size": mbs, "gradient_accumulation_steps": ga,
                "world_size": world, "num_train_epochs": epochs, "dataset_size": n, "max_steps": max_steps}, "t")]
    if warmup is not None:
        key = "warmup_steps" if warmup[0] == "steps" else "warmup_ratio"
        cfg[key] = warmup[1]
        layers.append(({key: warmup[1]}, "t"))
    counted = count(cfg, range(n), update=False)
    if counted < 1 and not max_steps:
        return  # axolotl would hand HF max_steps -1 (epoch-based); lrcli refuses, tested elsewhere
    kwargs: dict = {}
    configure(types.SimpleNamespace(cfg=cfg), min(counted, max_steps) if max_steps else counted, kwargs)
    total = max_steps or counted
    ws = kwargs["warmup_steps"]
    expected_w = int(ws) if ws >= 1 else math.ceil(total * ws)  # transformers 5.x get_warmup_steps
    plan = plan_steps(resolve(layers))
    assert (plan.total, plan.warmup) == (total, expected_w)


@pytest.mark.oracle
@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 5000), b=st.integers(1, 16), ga=st.integers(1, 8), dp=st.sampled_from([1, 2, 3, 8]),
       epochs=st.integers(1, 3), cap=st.one_of(st.none(), st.integers(1, 100)))
def test_torchtune_steps_match_its_dataloader(n, b, ga, dp, epochs, cap) -> None:
    torch_data = oracle_import("torch.utils.data")
    data = list(range(n))
    sampler = torch_data.DistributedSampler(data, num_replicas=dp, rank=0, shuffle=True, seed=0)
    per_epoch = len(torch_data.DataLoader(data, batch_size=b, sampler=sampler, drop_last=True)) // ga
    if cap is not None and cap < per_epoch:  # full_finetune_distributed.py: the max_steps_per_epoch cap
        per_epoch = cap
    layers = [({"framework": "torchtune", "per_device_train_batch_size": b, "gradient_accumulation_steps": ga,
                "world_size": dp, "num_train_epochs": epochs, "dataset_size": n, "max_steps_per_epoch": cap}, "t")]
    if epochs * per_epoch < 1:
        with pytest.raises(Exception, match="torchtune counts 0 steps"):
            plan_steps(resolve(layers))
        return
    assert plan_steps(resolve(layers)).total == epochs * per_epoch




@pytest.fixture(scope="module")
def grpo_oracle():
    """TRL 0.24's GRPOConfig (real __post_init__: spg, gbs) and RepeatSampler (extracted from trainer/utils.py,
    whose module imports pandas), with accelerate's sharding and the HF Trainer's own count."""
    trl_source = framework_source("trl")
    torch = oracle_import("torch")
    sys.path.insert(0, str(TOOLS))
    sys.path.insert(0, str(trl_source.parent))
    from collections.abc import Sized
    from typing import Optional

    from framework_code import extract
    from hf_steps_oracle import _OUTPUT_DIR, _trainer_shell
    from trl import GRPOConfig

    sampler_cls = extract(trl_source / "trainer" / "utils.py", "RepeatSampler",
                          {"torch": torch, "Sized": Sized, "Optional": Optional, "Sampler": torch.utils.data.Sampler})

    class GRPOConfigAtWorldSize(GRPOConfig):
        oracle_world_size = 1

        @property
        def world_size(self) -> int:
            return self.oracle_world_size

    return GRPOConfigAtWorldSize, sampler_cls, _trainer_shell, _OUTPUT_DIR


@pytest.mark.oracle
@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 3000), b=st.integers(1, 8), ga=st.integers(1, 6), w=st.sampled_from([1, 2, 4]),
       generations=st.sampled_from([2, 4, 8]), iterations=st.integers(1, 2), epochs=st.sampled_from([1.0, 2.0, 1.5]))
def test_grpo_steps_match_trl(grpo_oracle, n, b, ga, w, generations, iterations, epochs) -> None:
    from accelerate.data_loader import prepare_data_loader
    from torch.utils.data import DataLoader

    config_cls, sampler_cls, trainer_shell, output_dir = grpo_oracle
    layers = [({"framework": "trl_grpo", "per_device_train_batch_size": b, "gradient_accumulation_steps": ga,
                "world_size": w, "num_train_epochs": epochs, "dataset_size": n,
                "trainer_options": {"num_generations": generations, "num_iterations": iterations}}, "t")]
    config_cls.oracle_world_size = w
    try:
        args = config_cls(output_dir=output_dir, per_device_train_batch_size=b, gradient_accumulation_steps=ga,
                          num_generations=generations, num_iterations=iterations, num_train_epochs=epochs,
                          report_to=[], use_cpu=True, bf16=False)
    except ValueError:
        with pytest.raises(Exception, match="divisible"):
            plan_steps(resolve(layers))
        return
    sampler = sampler_cls(data_source=range(n), mini_repeat_count=generations,
                          batch_size=args.generation_batch_size // generations,
                          repeat_count=iterations * args.steps_per_generation, shuffle=True, seed=0)
    loader = DataLoader(range(n), batch_size=b * args.steps_per_generation, sampler=sampler)
    sharded = prepare_data_loader(loader, num_processes=w, process_index=0, put_on_device=False)
    if len(sharded) == 0:
        with pytest.raises(Exception, match="generation batch"):
            plan_steps(resolve(layers))
        return
    *_, total = trainer_shell(args).set_initial_training_values(args, sharded)
    assert plan_steps(resolve(layers)).total == total


@pytest.mark.oracle
@pytest.mark.parametrize(
    "keys",
    [{"lr_scheduler": "one_cycle"}, {"lr_scheduler": "one_cycle", "lr_scheduler_kwargs": {"div_factor": 10}},
     {"lr_scheduler": "rex", "cosine_min_lr_ratio": 0.2}, {"lr_scheduler": "rex"},
     {"lr_quadratic_warmup": True}, {"cosine_min_lr_ratio": 0.1, "cosine_constant_lr_ratio": 0.7},
     {"cosine_min_lr_ratio": 0.3}],
    ids=lambda keys: "+".join(f"{k}={v}" for k, v in keys.items()),
)
def test_axolotl_config_curves_match_axolotl_create_scheduler(cli, tmp_path, keys) -> None:
    """A config with each axolotl scheduler key -> lrcli's curve vs axolotl's real create_scheduler (one_cycle:
    torch OneCycleLR with pct_start = W/T), T and W from lrcli (checked against axolotl above)."""
    import csv
    import io

    import yaml

    torch = oracle_import("torch")
    sys.path.insert(0, str(TOOLS))
    from gen_deepspeed_axolotl_golden import load_axolotl

    config = {"base_model": "m", "micro_batch_size": 2, "gradient_accumulation_steps": 2, "num_epochs": 2,
              "learning_rate": "3e-4", "warmup_ratio": 0.1, **keys}
    path = tmp_path / "ax.yml"
    path.write_text(yaml.safe_dump(config))
    steps = run_json(cli("steps", str(path), "--samples", "403", "--json").stdout)["plan"]
    total, warmup = steps["total_steps"], steps["warmup_steps"]
    result = cli("plot", str(path), "--samples", "403", "-o", str(tmp_path / "c.csv"))
    assert result.exit_code == 0, result.stderr
    ours = [float(row["lr"]) for row in csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text()))]

    name = config.get("lr_scheduler", "cosine")
    args = types.SimpleNamespace(
        lr_scheduler_type="cosine", alternate_lr_scheduler_type=name if name in ("one_cycle", "rex") else None,
        lr_quadratic_warmup=config.get("lr_quadratic_warmup"), cosine_min_lr_ratio=config.get("cosine_min_lr_ratio"),
        cosine_constant_lr_ratio=config.get("cosine_constant_lr_ratio"), learning_rate=3e-4,
        lr_scheduler_kwargs=config.get("lr_scheduler_kwargs", {}), jagged_restart_steps=None,
        get_warmup_steps=lambda _total: warmup,
    )
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=3e-4)
    trainer = types.SimpleNamespace(args=args, lr_scheduler=None, optimizer=optimizer)
    scheduler = load_axolotl(framework_source("axolotl")).SchedulerMixin.create_scheduler(trainer, total, optimizer=optimizer)
    theirs = [optimizer.param_groups[0]["lr"]]
    for _ in range(total - 1 if name == "one_cycle" else total):  # OneCycleLR raises when stepped past T
        optimizer.step()
        scheduler.step()
        theirs.append(optimizer.param_groups[0]["lr"])
    assert max(abs(a - b) for a, b in zip(ours, theirs, strict=False)) <= 1e-12 * 3e-4
