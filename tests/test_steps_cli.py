"""`lrcli steps` and the step flags of `plot`/`compare`: wiring, output shapes and the error lines.

The arithmetic itself is checked against the real Trainer in test_steps_oracle.py / test_steps_golden.py; here the
CLI's numbers are compared with the library's `plan_steps` for the same settings.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import run_json

from lrcli.cli import main
from lrcli.config import resolve
from lrcli.steps import plan_steps

ISSUE_EXAMPLE = ["--samples", "10000", "--batch", "32", "--epochs", "1", "--world-size", "8", "--warmup-ratio", "0.1"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_issue_example_prints_t_and_w_with_the_derivation(capsys: pytest.CaptureFixture[str]) -> None:
    # 40 and 4 are what transformers 5.25's Trainer computes (test_steps_oracle.py runs this very case).
    code, out, err = run(capsys, "steps", *ISSUE_EXAMPLE)
    assert code == 0
    assert out.startswith("T = 40 optimizer steps, W = 4 warmup steps")
    assert "floor(B / w) + 1 = floor(313 / 8) + 1" in out
    assert "ceil(T · warmup_ratio) = ceil(40 · 0.1)" in out
    # 5.15+ has no warmup_ratio: the warning (stderr, so stdout stays data) says what that version would do
    assert "lrcli: warning: transformers 5.25 has no warmup_ratio" in err


def test_json_has_the_trainer_names_and_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "steps", *ISSUE_EXAMPLE, "--grad-accum", "3", "--json")
    assert code == 0
    record = run_json(out)["plan"]
    plan = plan_steps(
        resolve(
            [
                (
                    {
                        "dataset_size": 10000,
                        "per_device_train_batch_size": 32,
                        "num_train_epochs": 1,
                        "world_size": 8,
                        "warmup_ratio": 0.1,
                        "gradient_accumulation_steps": 3,
                    },
                    "test",
                )
            ]
        )
    )
    assert record["total_steps"] == plan.total and record["warmup_steps"] == plan.warmup
    assert record["update_steps_per_epoch"] == plan.update_steps_per_epoch
    assert record["batches_per_epoch"] == plan.batches_per_epoch
    assert record["num_train_epochs"] == plan.num_train_epochs
    assert record["total_train_batch_size"] == 32 * 3 * 8
    assert record["rules"]["transformers"] == {"version": "5.25", "source": "the newest lrcli knows; "
                                                                            "LRCLI_IGNORE_INSTALLED is set"}


def test_aliases_are_the_hf_names(capsys: pytest.CaptureFixture[str]) -> None:
    _, short, _ = run(
        capsys,
        "steps",
        "--samples",
        "1000",
        "--batch",
        "4",
        "--grad-accum",
        "3",
        "--epochs",
        "2.5",
        "--world-size",
        "2",
        "--json",
    )
    _, long, _ = run(
        capsys,
        "steps",
        "--samples",
        "1000",
        "--per-device-train-batch-size",
        "4",
        "--gradient-accumulation-steps",
        "3",
        "--num-train-epochs",
        "2.5",
        "--num-processes",
        "2",
        "--json",
    )
    assert json.loads(short) == json.loads(long)


def test_explain_shows_each_stage_and_the_other_rule_set(capsys: pytest.CaptureFixture[str]) -> None:
    # transformers #36297: 91 samples, batch 10, 2 GPUs, GA 2, 10 epochs.
    code, out, err = run(
        capsys,
        "steps",
        "--samples",
        "91",
        "--batch",
        "10",
        "--world-size",
        "2",
        "--grad-accum",
        "2",
        "--epochs",
        "10",
        "--transformers-version",
        "4.51",
        "--explain",
    )
    assert code == 0
    assert "3. update steps per epoch U = 2 (floor before 4.52.1)\n       max(floor(L / GA), 1) = max(floor(5 / 2), 1)\n" in out
    assert "4. total steps T = 20\n       ceil(E · U) = ceil(10.0 · 2) = ceil(20.0)\n" in out
    assert "Under transformers 5.25 rules it differs" in out
    assert "update steps per epoch U = 3\n       max(ceil(L / GA), 1) = max(ceil(5 / 2), 1)\n" in out
    assert "lrcli: warning: training stops at epoch 6.8, not 10" in err  # a real 4.51.3 run stops there (golden runs)


def test_explain_shows_float_epoch_arithmetic(capsys: pytest.CaptureFixture[str]) -> None:
    # 0.07 epochs × 100 updates = 7.000000000000001 in Python floats, so the Trainer makes 8 steps.
    _, out, _ = run(capsys, "steps", "--samples", "100", "--batch", "1", "--epochs", "0.07", "--explain")
    assert "total steps T = 8\n       ceil(E · U) = ceil(0.07 · 100) = ceil(7.000000000000001)\n" in out


EXPLAIN_CASES = {
    "hf 4.51": ["--samples", "91", "--batch", "10", "--world-size", "2", "--grad-accum", "2", "--epochs", "10",
                "--transformers-version", "4.51"],
    "hf even_batches": ["--samples", "5003", "--world-size", "4", "--max-steps", "100", "--warmup-ratio", "0.1"],
    "llamafactory": ["sample_configs/llamafactory_sft.yaml", "--samples", "5003", "--world-size", "4"],
    "axolotl": ["sample_configs/axolotl_lora.yml", "--samples", "5003", "--world-size", "4"],
    "lightning": ["sample_configs/lightning_steplr.yaml", "--samples", "5003", "--world-size", "4"],
    "torchtune": ["sample_configs/torchtune_lora.yaml", "--samples", "5003", "--world-size", "4"],
}  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("case", EXPLAIN_CASES)
def test_explain_reads_without_the_trainers_code(capsys: pytest.CaptureFixture[str], case: str) -> None:
    """Every symbol a formula uses is defined above it (in the inputs line or a stage's name), each stage shows its
    result before the formula and its footnotes, and no abbreviation of the Trainer's code is left unexplained."""
    args = [str(ROOT / a) if a.startswith("sample_configs/") else a for a in EXPLAIN_CASES[case]]
    code, out, _ = run(capsys, "steps", *args, "--explain")
    assert code == 0
    for abbreviation in ("nupe", "mbs", "dl_len", "eff_est /"):
        assert abbreviation not in out, (abbreviation, out)
    defined = set(re.findall(r"\b(N|b|GA|w|E) = ", out.split("1. ", 1)[0]))
    assert defined == {"N", "b", "GA", "w", "E"}, out  # the inputs line says what each input symbol means
    stages = re.findall(r"^  (\d+)\. (.+) = (\S+)(?: \((.*)\))?\n((?:       .*\n)*)", out, re.M)
    assert [int(number) for number, *_ in stages] == list(range(1, len(stages) + 1)), out
    for _, name, value, _, formula in stages:
        symbol = re.search(r" ([A-Z]{1,2})$", name)
        if symbol:
            defined.add(symbol.group(1))
        used = set(re.findall(r"(?<![\w.])([A-Z]{1,2}|b|w)(?![\w.])", formula.split(" = ")[0]))
        assert used <= defined, (name, used - defined, out)  # each symbol is defined at or before its first use
        assert re.fullmatch(r"-?[\d.]+|[\d.e+-]+|-|\w+", value), (name, value)  # the result, not a formula


def test_explain_says_what_epochs_looped_means(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "steps", *EXPLAIN_CASES["hf 4.51"], "--explain")
    assert "epochs looped = 10 (passes of the Trainer's epoch loop)\n       ceil(E) = ceil(10.0)\n" in out
    assert "The last optimizer step runs at epoch 6.8." in out  # the last pass ends early: 3 updates of 2 counted


def test_explain_says_when_the_rule_sets_agree(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "steps", "--samples", "1024", "--batch", "8", "--grad-accum", "4", "--explain")
    assert "Under transformers 4.51.3 rules: the same T" in out


def test_total_steps_still_gives_t_directly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "steps", "--total-steps", "1000", "--warmup-ratio", "0.05", "--json")
    record = run_json(out)["plan"]
    assert code == 0 and record["total_steps"] == 1000 and record["batches_per_epoch"] is None


def test_max_steps_without_samples_is_enough(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "steps", "--max-steps", "500", "--warmup-steps", "0.1", "--json")
    assert code == 0 and run_json(out)["plan"]["total_steps"] == 500


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--epochs", "3"], "add --samples N"),
        (["--samples", "0"], "--samples must be ≥ 1"),
        (["--samples", "100", "--batch", "0"], "--batch must be ≥ 1"),
        (["--samples", "100", "--grad-accum", "0"], "--grad-accum must be ≥ 1"),
        (["--samples", "100", "--world-size", "-2"], "--world-size must be ≥ 1"),
        (["--samples", "100", "--epochs", "0"], "must be > 0"),
        (["--samples", "10", "--batch", "32", "--drop-last"], "does not have a length"),
        (["--samples", "100", "--world-size", "1,8"], "`lrcli compare` draws one curve per value"),
        (["--samples", "100", "--transformers-version", "four"], "is not a version"),
        (["--samples", "100", "--transformers-version", "4.19"], "lrcli models transformers 4.20"),
        (["--samples", "100", "--max-steps", "0"], "plans 0 optimizer steps"),
        (["--samples", "100", "--transformers-version", "4.51", "--warmup-steps", "0.1"], "use --warmup-ratio 0.1"),
        (
            ["--samples", "100", "--transformers-version", "4.51", "--schedule", "cosine_warmup_with_min_lr"],
            "it was added in 4.54.0",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    code, out, err = run(capsys, "steps", *argv)
    assert code == 2 and out == ""
    assert err.startswith("lrcli: error: ") and err.count("\n") == 1 and expected in err


def test_drop_last_error_names_both_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "steps", "--samples", "10", "--batch", "32", "--drop-last")
    assert "lower --batch" in err and "drop --drop-last" in err


def test_plot_takes_the_step_flags_and_prints_t_and_w(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    target = tmp_path / "lr.csv"
    code, _, err = run(capsys, "plot", "--schedule", "cosine", *ISSUE_EXAMPLE, "-o", str(target))
    assert code == 0
    assert "T=40 steps (40 per epoch), warmup W=4" in err
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert len(rows) == 1 + 41  # header + steps 0 … T


def test_compare_draws_one_curve_per_world_size(capsys: pytest.CaptureFixture[str]) -> None:
    # accelerate #2926 / transformers #23986: the same run on 1 and on 8 processes has different T.
    code, out, err = run(
        capsys,
        "compare",
        "cosine",
        "--samples",
        "10000",
        "--batch",
        "32",
        "--epochs",
        "1",
        "--world-size",
        "1,8",
        "--warmup-ratio",
        "0.1",
        "-o",
        "-",
    )
    assert code == 0
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header == ["step", "cosine world_size=1", "cosine world_size=8"]
    one = plan_steps(
        resolve(
            [
                (
                    {
                        "dataset_size": 10000,
                        "per_device_train_batch_size": 32,
                        "num_train_epochs": 1,
                        "warmup_ratio": 0.1,
                    },
                    "test",
                )
            ]
        )
    )
    assert len(rows) == one.total + 1
    assert sum(1 for row in rows if row[2] != "") == 40 + 1
    assert re.search(r"^cosine world_size=8 +40 +4 ", err, re.M)  # compare's table: label, T, W, …


def test_compare_combines_lists_and_versions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "compare",
        "linear",
        "--samples",
        "40",
        "--batch",
        "4",
        "--grad-accum",
        "3",
        "--epochs",
        "2",
        "--transformers-version",
        "4.51.3,5.24",
        "-o",
        "-",
    )
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert header == ["step", "linear transformers_version=4.51.3", "linear transformers_version=5.24"]
    # T = 6 under 4.51.3 and 8 under 5.24 (golden rows / real runs, tests/data/steps_transformers_*.json)
    assert sum(1 for r in rows if r[1] != "") == 6 + 1 and len(rows) == 8 + 1


def test_plot_refuses_lists(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plot", "--samples", "100,200", "-o", "-")
    assert code == 2 and "--samples 100,200" in err


FRAMEWORK_EXPLAIN = {  # framework -> (arguments, inputs its own line names)
    "torchtitan": (["sample_configs/torchtitan_train.sh"], ["training.steps = 1000", "lr_scheduler.warmup_steps = 50",
                                                            "training.global_batch_size = 64", "torchtitan 0.2.2"]),
    "megatron": (["sample_configs/megatron_gpt_wsd.sh"], ["micro_batch_size = 4", "world = 16", "train_iters = 20000",
                                                          "global_batch_size = 512", "megatron-core 0.19.2 rules"]),
    "verl": (["sample_configs/verl_ppo.yaml", "--samples", "7473"], ["N = 7473", "data.train_batch_size = 256",
                                                                      "trainer.total_epochs = 15.0", "verl 0.9.1"]),
    "swift": (["sample_configs/swift_sft.sh", "--samples", "5000"], ["rows sampled per dataset", "ms-swift 4.6.0",
                                                                     "b = 2", "GA = 1", "w = 4"]),
}  # fmt: skip


@pytest.mark.parametrize("framework", FRAMEWORK_EXPLAIN)
def test_explain_names_each_frameworks_own_inputs(capsys: pytest.CaptureFixture[str], framework: str) -> None:
    """torchtitan, Megatron and verl count without the HF inputs (no b, GA, w, E on their line); ms-swift samples its
    datasets and then counts as the HF Trainer does (its line adds its sampling to the HF inputs)."""
    arguments, names = FRAMEWORK_EXPLAIN[framework]
    code, out, _ = run(capsys, "steps", *[str(ROOT / a) if a.startswith("sample_configs/") else a for a in arguments],
                       "--explain")
    assert code == 0
    inputs = out.split("1. ", 1)[0]
    for name in names:
        assert name in inputs, (name, inputs)
    hf_symbols = set(re.findall(r"\b(b|GA|w|E) = ", inputs))
    assert hf_symbols == ({"b", "GA", "w", "E"} if framework == "swift" else set()), inputs
