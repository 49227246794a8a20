"""lrcli on the real TRL and LLaMA-Factory configs (tests/data/real_configs/) gives the T, W and update steps per epoch
that the frameworks' own code computes from those files (tests/data/real_config_goldens.json, written by
tools/gen_real_config_goldens.py: TrlParser / LLaMA-Factory's parser + the HF Trainer's count, in venvs with
TRL 0.24.0 on transformers 4.57.6, 5.6.0 and 5.24.0, LLaMA-Factory 0.9.5 on transformers 5.6.0). The TRL cases are
read as TRL 0.24 (`--trainer NAME@0.24`), the release the goldens ran; where `trl sft` of 0.24 (and every `trl`
command of 1.x) hands a key the transformers lacks to `accelerate launch`, lrcli refuses the run as accelerate does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, assert_one_error_line, run_json

REAL = Path(__file__).resolve().parent / "data/real_configs"

GOLDEN = json.loads((DATA / "real_config_goldens.json").read_text())
CASES: list[dict[str, Any]] = GOLDEN["cases"]
# TRL runs name the golden's transformers: lrcli's default (5.25) counts as the golden's newest line 5.24.0 does
# (tests/data/steps_transformers_5.24.0.json and _5.25.0.json have the same cases and runs), but says 5.25.


def _samples(case: dict[str, Any]) -> str:
    return str(case["samples"]) if case["framework"] == "trl" else "+".join(map(str, case["counts"]))


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['config']}@{case['transformers']}-N{_samples(case)}-w{case['world_size']}"


def _trainer(case: dict[str, Any]) -> str:
    return case["config_class"].removesuffix("Config").lower()


def _args(case: dict[str, Any], trl_release: str = "0.24") -> list[str]:
    args = ["steps", str(REAL / case["config"]), "--samples", _samples(case), "--world-size",
            str(case["world_size"]), "--json"]
    if case["framework"] == "trl":
        args += ["--trainer", f"{_trainer(case)}@{trl_release}"]
        args += ["--transformers-version", case["transformers"]]
    return args


def _refused_by_launcher(case: dict[str, Any], trl_release: str = "0.24") -> bool:
    """`trl sft` of 0.18+ and every `trl` training command of 0.29+ hand leftover keys to `accelerate launch`."""
    if case["framework"] != "trl":
        return False
    passes = _trainer(case) == "sft" or trl_release.startswith("1.")
    return "warmup_ratio" in case["expected"].get("unparsed_keys", ()) and passes


def _lrcli_steps(cli, case: dict[str, Any]) -> tuple[dict[str, Any], str]:
    result = cli(*_args(case))
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)["plan"], result.stderr


def test_golden_covers_every_hf_family_config() -> None:
    configs = {case["config"] for case in CASES}
    expected = {f"{p.parent.name}/{p.name}" for p in REAL.glob("trl/*.yaml")}
    expected |= {f"llamafactory/{p.name}" for p in REAL.glob("llamafactory/*.yaml") if not p.name.startswith("v1_")}
    assert configs == expected
    assert {case["transformers"] for case in CASES} == {"4.57.6", "5.24.0", "5.6.0"}
    assert not [case for case in CASES if "error" in case["expected"]], "the generator could not run a case"


def _version(text: str) -> tuple[int, ...]:
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def _same_case_under(case: dict[str, Any], version: str) -> dict[str, Any]:
    keys = ("config", "samples", "world_size")
    return next(c for c in CASES if c["transformers"] == version and all(c.get(k) == case.get(k) for k in keys))


@pytest.mark.parametrize("case", [c for c in CASES if _refused_by_launcher(c)], ids=_case_id)
@pytest.mark.parametrize("release", ["0.24", "1.16"])
def test_a_key_the_launcher_hands_to_accelerate_is_refused(cli, case: dict[str, Any], release: str) -> None:
    """warmup_ratio under transformers 5.24 with `trl sft` (0.18+) or any `trl` command (1.x): accelerate launch
    stops with 'unrecognized arguments' (tests/test_trl_releases.py runs TRL 1.16's own launcher on it)."""
    result = cli(*_args(case, release))
    message = " ".join(assert_one_error_line(result).split())
    assert "key warmup_ratio" in message and "`accelerate launch`" in message
    assert "'unrecognized arguments: --warmup_ratio'" in message
    assert f"write warmup_steps: {_yaml_value(case, 'warmup_ratio')!r}" in message


@pytest.mark.parametrize("case", [c for c in CASES if not _refused_by_launcher(c)], ids=_case_id)
def test_lrcli_counts_steps_as_the_framework(cli, case: dict[str, Any]) -> None:
    expected = case["expected"]
    plan, stderr = _lrcli_steps(cli, case)
    assert (plan["total_steps"], plan["update_steps_per_epoch"], plan["num_train_epochs"]) == (
        expected["total_steps"], expected["update_steps_per_epoch"], expected["num_train_epochs"])
    assert _version(plan["rules"]["transformers"]["version"]) == _version(case["transformers"])
    # W is the run's: where this transformers has no warmup_ratio, `trl <cmd>` drops the key (it is among the
    # golden's unparsed keys, and its W is what warmup_steps alone gives).
    assert plan["warmup_steps"] == expected["warmup_steps"]
    if "warmup_ratio" in expected.get("unparsed_keys", ()):
        # ... and lrcli says so, with the W the key meant: what transformers 4.57.6 computes for the same run.
        meant = _same_case_under(case, "4.57.6")["expected"]["warmup_steps"]
        text = " ".join(stderr.split())
        assert f"key warmup_ratio: `trl {_trainer(case)} --config` on transformers {case['transformers']} (" in text
        assert "drops it without a word" in text
        ratio = _yaml_value(case, "warmup_ratio")
        assert f"the run warms up for W = {expected['warmup_steps']} steps, not the ceil(T · {ratio!r}) = {meant} " \
               f"meant: to get those, write warmup_steps: {ratio!r}" in text
        assert "'Unknown arguments from config file'" in text


def _yaml_value(case: dict[str, Any], key: str) -> Any:
    import yaml

    return yaml.safe_load((REAL / case["config"]).read_text())[key]


@pytest.mark.parametrize("case", [c for c in CASES if c["world_size"] == 1 and c.get("samples", 0) != 52002
                                  and c.get("counts", [0])[-1] != 52002], ids=_case_id)
def test_lrcli_reads_the_schedule_settings_the_framework_parses(cli, case: dict[str, Any]) -> None:
    """learning_rate (TRL's per-trainer defaults, YAML '1.0e-4' strings) and the scheduler as the parser builds them."""
    expected = case["expected"]
    args = ["show", str(REAL / case["config"]), "--samples", _samples(case), "--json"]
    if case["framework"] == "trl":
        args += ["--trainer", f"{_trainer(case)}@0.24", "--transformers-version", "4.57.6"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    settings = {key: entry["value"] for key, entry in run_json(result.stdout)["settings"].items()}
    assert settings["learning_rate"] == expected["learning_rate"]
    assert settings["lr_scheduler_type"] == expected["lr_scheduler_type"]
    assert (settings["lr_scheduler_kwargs"] or {}) == (expected["lr_scheduler_kwargs"] or {})
