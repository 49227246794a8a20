"""lrcli on the real TRL and LLaMA-Factory configs (tests/data/real_configs/) gives the T, W and update steps per epoch
that the frameworks' own code computes from those files (tests/data/real_config_goldens.json, written by
tools/gen_real_config_goldens.py: TrlParser / LLaMA-Factory's parser + the HF Trainer's count, in venvs with
TRL 0.24.0 on transformers 4.57.6, 5.6.0 and 5.24.0, TRL 1.16.0 on 4.57.6 and 5.25.0, LLaMA-Factory 0.9.5 on
transformers 5.6.0). Each TRL case is read as the TRL release that ran it (`--trainer NAME@0.24` / `@1.16`). Where
`trl sft` of 0.24 (and every `trl` command of 1.x) hands a key the transformers lacks to `accelerate launch`, lrcli
refuses the run as accelerate does; the TRL 1.16 cases record that refusal as TRL 1.16's own launcher (or, for ORPO,
which has no `trl` command, the recipe script's TrlParser) gave it."""

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


def _release(case: dict[str, Any]) -> str:
    """The TRL line a case ran (`0.24`, `1.16`)."""
    return ".".join(case.get("trl", "0.24.0").split(".")[:2])


def _case_id(case: dict[str, Any]) -> str:
    trl = f"trl{_release(case)}-" if case["framework"] == "trl" else ""
    return f"{trl}{case['config']}@{case['transformers']}-N{_samples(case)}-w{case['world_size']}"


def _trainer(case: dict[str, Any]) -> str:
    return case["config_class"].removesuffix("Config").lower()


def _args(case: dict[str, Any]) -> list[str]:
    args = ["steps", str(REAL / case["config"]), "--samples", _samples(case), "--world-size",
            str(case["world_size"]), "--json"]
    if case["framework"] == "trl":
        args += ["--trainer", f"{_trainer(case)}@{_release(case)}"]
        args += ["--transformers-version", case["transformers"]]
    return args


def _refused_by_launcher(case: dict[str, Any]) -> bool:
    """TRL 1.16 cases: what its own launcher did (the golden's `refused`). TRL 0.24 (run with TrlParser alone): `trl
    sft` of 0.18+ hands leftover keys to `accelerate launch`, the other commands of 0.24 drop them."""
    if case["framework"] != "trl":
        return False
    if _release(case) != "0.24":
        return "refused" in case["expected"]
    return "warmup_ratio" in case["expected"].get("unparsed_keys", ()) and _trainer(case) == "sft"


def _lrcli_steps(cli, case: dict[str, Any]) -> tuple[dict[str, Any], str]:
    result = cli(*_args(case))
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)["plan"], result.stderr


def test_golden_covers_every_hf_family_config() -> None:
    configs = {case["config"] for case in CASES}
    expected = {f"{p.parent.name}/{p.name}" for p in REAL.glob("trl/*.yaml")}
    expected |= {f"llamafactory/{p.name}" for p in REAL.glob("llamafactory/*.yaml") if not p.name.startswith("v1_")}
    assert configs == expected
    assert {case["transformers"] for case in CASES} == {"4.57.6", "5.24.0", "5.6.0", "5.25.0"}
    assert {(case.get("trl"), case["transformers"]) for case in CASES if case["framework"] == "trl"} == {
        ("0.24.0", "4.57.6"), ("0.24.0", "5.6.0"), ("0.24.0", "5.24.0"), ("1.16.0", "4.57.6"), ("1.16.0", "5.25.0")}
    assert not [case for case in CASES if "error" in case["expected"]], "the generator could not run a case"
    for case in CASES:
        if case.get("trl") == "1.16.0":
            assert case["versions"]["trl"] == "1.16.0" and case["versions"]["transformers"] == case["transformers"]
    # TRL 1.16 refuses every recipe with torch_dtype (recorded, not dropped), on both transformers; among the keys it
    # refuses, warmup_ratio exactly where the recipe has it and the transformers is 5.25
    import yaml

    for case in (c for c in CASES if _release(c) == "1.16"):
        raw = yaml.safe_load((REAL / case["config"]).read_text())
        assert ("refused" in case["expected"]) == ("torch_dtype" in raw), case["config"]
        refused = case["expected"].get("refused_keys", [])
        assert ("warmup_ratio" in refused) == ("warmup_ratio" in raw and case["transformers"] == "5.25.0")


def _version(text: str) -> tuple[int, ...]:
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def _same_case_under(case: dict[str, Any], version: str) -> dict[str, Any]:
    keys = ("config", "samples", "world_size", "trl")
    return next(c for c in CASES if c["transformers"] == version and all(c.get(k) == case.get(k) for k in keys))


@pytest.mark.parametrize("case", [c for c in CASES if _refused_by_launcher(c) and _release(c) == "0.24"],
                         ids=_case_id)
def test_a_key_the_launcher_hands_to_accelerate_is_refused(cli, case: dict[str, Any]) -> None:
    """warmup_ratio under transformers 5.24 with `trl sft` of 0.24: accelerate launch stops with 'unrecognized
    arguments' (TRL 1.16's own launcher does the same: the cases below)."""
    message = " ".join(assert_one_error_line(cli(*_args(case))).split())
    assert "key warmup_ratio" in message
    assert "`accelerate launch`" in message and "'unrecognized arguments: --warmup_ratio'" in message
    assert f"write warmup_steps: {_yaml_value(case, 'warmup_ratio')!r}" in message


TRL_1_16_REFUSED = [c for c in CASES if _release(c) == "1.16" and "refused" in c["expected"]]


@pytest.mark.parametrize("case", TRL_1_16_REFUSED, ids=_case_id)
def test_what_trl_1_16_refuses_lrcli_refuses(cli, case: dict[str, Any], tmp_path: Path) -> None:
    """The recipe as written: TRL 1.16's launcher (or, for ORPO, which has no `trl` command, the recipe script's
    TrlParser) stops on torch_dtype, ModelConfig's `dtype` since 0.27; lrcli refuses it naming that key. Without
    torch_dtype and the recipe scripts' own keys (dataset_mixture, chat_template, …, which `trl <cmd>` does not take),
    TRL 1.16 still refuses warmup_ratio on transformers 5.25 (lrcli too), and counts the run on 4.57.6 (lrcli: the
    same T, W, U and E)."""
    expected = case["expected"]
    assert expected["refused_keys"][0] == "torch_dtype" and "torch_dtype" in expected["refused"]["message"]
    message = " ".join(assert_one_error_line(cli(*_args(case))).split())
    assert "torch_dtype" in message and "dtype since 0.27" in message
    assert ("`accelerate launch`" in message) == (expected["refused"]["exit"] == 2)
    import yaml

    raw = yaml.safe_load((REAL / case["config"]).read_text())
    ratio = "warmup_ratio" in expected["refused_keys"]
    kept = {k: v for k, v in raw.items() if k not in expected["refused_keys"] or k == "warmup_ratio"}
    stripped = tmp_path / Path(case["config"]).name
    stripped.write_text(yaml.safe_dump(kept))
    args = [stripped if a == str(REAL / case["config"]) else a for a in _args(case)]
    result = cli(*map(str, args))
    if ratio:  # transformers 5.25 has no warmup_ratio: TRL 1.16's launcher named it
        assert "'unrecognized arguments: --warmup_ratio'" in " ".join(assert_one_error_line(result).split())
        stripped.write_text(yaml.safe_dump({k: v for k, v in kept.items() if k != "warmup_ratio"}))
        result = cli(*map(str, args))
    assert result.exit_code == 0, result.stderr
    plan = run_json(result.stdout)["plan"]
    counted = expected["without_them"]
    assert (plan["total_steps"], plan["warmup_steps"], plan["update_steps_per_epoch"], plan["num_train_epochs"]) == (
        counted["total_steps"], counted["warmup_steps"], counted["update_steps_per_epoch"], counted["num_train_epochs"])


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
                                  and c.get("counts", [0])[-1] != 52002 and "refused" not in c["expected"]],
                         ids=_case_id)
def test_lrcli_reads_the_schedule_settings_the_framework_parses(cli, case: dict[str, Any]) -> None:
    """learning_rate (TRL's per-trainer defaults, YAML '1.0e-4' strings) and the scheduler as the parser builds them."""
    expected = case["expected"]
    args = ["show", str(REAL / case["config"]), "--samples", _samples(case), "--json"]
    if case["framework"] == "trl":
        args += ["--trainer", f"{_trainer(case)}@{_release(case)}", "--transformers-version", "4.57.6"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    settings = {key: entry["value"] for key, entry in run_json(result.stdout)["settings"].items()}
    assert settings["learning_rate"] == expected["learning_rate"]
    assert settings["lr_scheduler_type"] == expected["lr_scheduler_type"]
    assert (settings["lr_scheduler_kwargs"] or {}) == (expected["lr_scheduler_kwargs"] or {})
