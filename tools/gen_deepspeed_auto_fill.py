"""How transformers fills a DeepSpeed `"warmup_num_steps": "auto"` -> tests/data/deepspeed_auto_fill_golden.json.

`HfTrainerDeepSpeedConfig.trainer_config_finalize` (transformers `integrations/deepspeed.py`) fills it with
`args.get_warmup_steps(T)`; 5.18.0 wraps that in max(1, ·), because DeepSpeed ≥ 0.19.6 (per its comment; the check
is in 0.19.3's source) raises for a warmup_num_steps ≤ 0. lrcli.steps.check_deepspeed_auto_warmup refuses exactly
the runs whose filled value DeepSpeed rejects; tests/test_deepspeed_section.py checks it against this golden
(transformers 5.16.0, 5.17.0, 5.18.0 and the newest, 5.25.0) and live against the installed transformers 5.25.0.

Each version's own `integrations/deepspeed.py` is loaded from its wheel as a module of the installed transformers
package (its relative imports resolve there; only the class's own methods run). transformers subclasses accelerate's
`HfDeepSpeedConfig` only when deepspeed is installed, so the class's methods are grafted onto accelerate's, as
tools/gen_deepspeed_axolotl_golden.py does. Needs transformers and accelerate installed.

Rerun (from the repository root):

    for v in 5.16.0 5.17.0 5.18.0 5.25.0; do pip download -q --no-deps -d /tmp/tf/$v transformers==$v &&
      (cd /tmp/tf/$v && python -m zipfile -e transformers-$v-py3-none-any.whl .); done
    python tools/gen_deepspeed_auto_fill.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from functools import partialmethod
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "deepspeed_auto_fill_golden.json"
VERSIONS = ("5.16.0", "5.17.0", "5.18.0", "5.25.0")
# (warmup_steps, T): W = 0 (no warmup) twice, then counts and ratios giving W ≥ 1 (ceil(T · ratio)).
CASES = ((0, 10), (0.0, 1), (1, 10), (3, 10), (0.25, 10), (0.01, 7))


def source_path(version: str, base: Path = Path("/tmp/tf")) -> Path:
    return base / version / "transformers" / "integrations" / "deepspeed.py"


def load_integration(path: Path) -> ModuleType:
    """`path` (some version's integrations/deepspeed.py) as a module inside the installed transformers package."""
    spec = importlib.util.spec_from_file_location(f"transformers.integrations._lrcli_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hf_filler(module: ModuleType, ds_config: dict[str, Any]) -> Any:
    """`module`'s HfTrainerDeepSpeedConfig on `ds_config`, its own methods on accelerate's HfDeepSpeedConfig (so
    deepspeed itself need not be installed)."""
    from accelerate.utils.deepspeed import HfDeepSpeedConfig

    cls = module.HfTrainerDeepSpeedConfig
    methods = {k: v for k, v in vars(cls).items() if k not in ("__init__", "__dict__", "__weakref__")}
    methods["fill_only"] = partialmethod(cls.fill_match, must_match=False)
    filler = type("HfTrainerDeepSpeedConfigWithoutDeepSpeed", (HfDeepSpeedConfig,), methods)(ds_config)
    filler._dtype, filler.mismatches = None, []
    return filler


def filled_warmup(module: ModuleType, warmup_steps: float, total: int) -> dict[str, Any]:
    """W (`get_warmup_steps`) and the value `module`'s HfTrainerDeepSpeedConfig puts in warmup_num_steps "auto"."""
    from transformers import TrainingArguments

    filler = hf_filler(module, {"scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": "auto"}}})
    args = TrainingArguments(output_dir="/tmp/lrcli-golden", warmup_steps=warmup_steps, report_to=[])
    filler.trainer_config_finalize(args, model=None, num_training_steps=total)
    return {"warmup_steps": warmup_steps, "total": total, "W": args.get_warmup_steps(total),
            "filled": filler.config["scheduler"]["params"]["warmup_num_steps"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, default=Path("/tmp/tf"), help="unzipped wheels, one folder a version")
    base = parser.parse_args().wheels
    golden = {}
    for version in VERSIONS:
        module = load_integration(source_path(version, base))
        golden[version] = [filled_warmup(module, ws, total) for ws, total in CASES]
    GOLDEN.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {GOLDEN.relative_to(ROOT)}: {len(VERSIONS)} versions x {len(CASES)} cases")


if __name__ == "__main__":
    main()
