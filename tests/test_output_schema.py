"""Every JSON lrcli writes is one document of schema 1 (docs/lrcli-output.schema.json): `steps --json`, `show --json`,
`plot -o x.json` and `compare -o x.json`, on flags, every sample config and the real configs; and docs/output.md's
example is what lrcli prints."""

from __future__ import annotations

import json
import re
import shlex
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from conftest import recipe_pin

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "sample_configs").iterdir()
                 if p.suffix in (".yaml", ".yml", ".json", ".toml", ".sh") and p.name != "axolotl_deepspeed_zero2.json")
REAL = sorted(p for p in (ROOT / "tests" / "data" / "real_configs").glob("*/*")
              if p.parent.name not in ("accelerate", "megatron")  # megatron: some refused, some past 10^7 steps
              and p.suffix in (".yaml", ".yml", ".json"))
# (schedule, its flags, the step flags; the last flag takes a comma list in compare)
FLAG_RUNS = [
    ("linear", (), ("--samples", "10000", "--batch", "32", "--warmup-ratio", "0.1", "--world-size")),
    ("OneCycleLR", ("--lr", "3e-4", "--kw", "pct_start=0.25"), ("--samples", "5000", "--world-size")),
    ("WarmupDecayLR", ("--kw", "total_num_steps=auto", "--kw", "warmup_num_steps=auto"),
     ("--samples", "3000", "--warmup-steps", "5", "--world-size")),
    ("StepLR", ("--kw", "step_size=2", "--step-unit", "epoch"), ("--samples", "1000", "--world-size")),
]


@cache
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "docs" / "lrcli-output.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _valid(text: str) -> dict:
    document = json.loads(text)
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return document


def _json_of(cli, *args: str) -> dict:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return _valid(result.stdout)


@pytest.mark.parametrize(("schedule", "flags", "step_flags"), FLAG_RUNS, ids=lambda f: f if isinstance(f, str) else "")
def test_every_command_on_flags(cli, schedule, flags, step_flags) -> None:
    plot = _json_of(cli, "plot", "--schedule", schedule, *flags, *step_flags, "2", "--format", "json", "-o", "-")
    steps_flags = [flag for flag in flags if flag not in ("--lr", "3e-4", "--step-unit", "epoch")]
    steps = _json_of(cli, "steps", "--schedule", schedule, *steps_flags, *step_flags, "2", "--json")
    show_flags = [flag for flag in flags if flag not in ("--step-unit", "epoch")]
    show = _json_of(cli, "show", str(ROOT / "sample_configs" / "hf_training_args.json"), "--schedule", schedule,
                    *show_flags, *step_flags, "2", "--json")
    compare = _json_of(cli, "compare", schedule, *flags, *step_flags, "1,2", "--format", "json", "-o", "-")
    assert len(compare["runs"]) == 2 and len(steps["runs"]) == len(plot["runs"]) == len(show["runs"]) == 1
    # one shape for the plan everywhere, and the same plan for the same run
    assert plot["runs"][0]["plan"] == steps["runs"][0]["plan"] == compare["runs"][1]["plan"]
    assert show["runs"][0]["plan"].keys() == plot["runs"][0]["plan"].keys()


@pytest.mark.parametrize("config", SAMPLES + REAL, ids=lambda p: p.name)
def test_every_command_on_the_configs(cli, config: Path) -> None:
    pin = tuple(recipe_pin(config))  # real configs as their authors ran them (TRL 0.24 on 4.x, axolotl 0.19)
    args = (str(config), "--samples", "1000", *pin)
    documents = [
        _json_of(cli, "steps", *args, "--json"),
        _json_of(cli, "show", *args, "--json"),
        _json_of(cli, "plot", *args, "--format", "json", "-o", "-"),
        _json_of(cli, "compare", str(config), "cosine", "--samples", "1000", *pin, "--format", "json", "-o", "-"),
    ]
    plans = [document["runs"][0]["plan"] for document in documents]
    assert all(plan == plans[0] for plan in plans), "the same run has the same plan in every command"
    shown = _json_of(cli, "show", str(config), "--json", *pin)["runs"][0]  # without --samples: T may not be known
    assert (shown["plan"] is None) == (shown["plan_error"] is not None)


def test_n_found_in_the_config_s_data_is_in_the_document(cli) -> None:
    """sample_configs/trl_sft.yaml names the demo data beside it: without --samples lrcli counts it."""
    config = ROOT / "sample_configs" / "trl_sft.yaml"
    for document in (_json_of(cli, "steps", str(config), "--json"), _json_of(cli, "show", str(config), "--json"),
                     _json_of(cli, "plot", str(config), "--format", "json", "-o", "-")):
        run = document["runs"][0]
        assert run["data"]["datasets"] and run["data"]["missing"] is None
        assert sum(d["rows"] for d in run["data"]["datasets"]) >= run["settings"]["dataset_size"]["value"] > 0


def test_the_docs_example_is_lrcli_s_output(cli) -> None:
    text = (ROOT / "docs" / "output.md").read_text()
    command = re.search(r"Example: `(lrcli plot [^`]*) -o x\.json`", text)[1]
    example = re.search(r"```json\n(.*?)```", text, re.S)[1]
    result = cli(*shlex.split(command)[1:], "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == example
    _valid(example)
