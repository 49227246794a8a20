"""The torchtitan dialect's choices and refusals through the CLI: the release in force (pin, installed metadata,
form), the 0.3 config_registry command, per-release keys, launch-script overrides. The curves themselves are
checked against torchtitan's own code in tests/test_torchtitan_parity.py."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_configs" / "torchtitan_llama3_8b.toml"


def _toml(tmp_path: Path, scheduler: str, name: str = "job.toml") -> Path:
    path = tmp_path / name
    path.write_text(f"[optimizer]\nlr = 1e-3\n\n[lr_scheduler]\n{scheduler}\n\n[training]\nsteps = 20\n")
    return path


def test_sample_launch_script_overrides_win_over_the_job_file(cli):
    result = cli("steps", str(ROOT / "sample_configs" / "torchtitan_train.sh"))
    assert result.exit_code == 0, result.stderr
    assert "T = 1000" in result.stdout and "W = 50" in result.stdout


def test_own_config_module_is_refused_with_how_to_hand_the_values(cli, tmp_path):
    """0.3's --module/--config is read from lrcli's table of torchtitan's own functions (tests/
    test_torchtitan_registry.py); a user's own module is Python lrcli does not run."""
    script = tmp_path / "run.sh"
    script.write_text("torchrun --nproc_per_node=8 -m torchtitan.train --module my_project.titan --config mine "
                      "--training.steps 10\n")
    result = cli("plot", str(script), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert "does not run Python config code" in result.stderr and "values.toml --trainer torchtitan@0.3.0" in \
        result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_values_file_read_under_0_3_with_a_note(cli, tmp_path):
    path = _toml(tmp_path, "warmup_steps = 2\ndecay_ratio = 0.5")
    result = cli("steps", str(path), "--trainer", "torchtitan@0.3.0")
    assert result.exit_code == 0, result.stderr
    assert "reads no TOML job file" in result.stderr


@pytest.mark.parametrize(("release", "key", "outcome"), [
    ("0.1.0", "min_lr_factor = 0.1", "ignores [lr_scheduler] min_lr_factor"),  # 0.1.0 drops it silently
    ("0.2.0", "lr_min = 0.1", "Invalid field names"),  # renamed in 0.2.0: ValueError
    ("0.2.1", "total_steps = 10", "added in 0.2.2"),
])
def test_keys_other_releases_have(cli, tmp_path, release, key, outcome):
    result = cli("steps", str(_toml(tmp_path, f"warmup_steps = 2\n{key}")), "--trainer", f"torchtitan@{release}")
    assert outcome in result.stderr
    assert result.exit_code == (0 if release == "0.1.0" else 2)


def test_unknown_decay_type_is_refused(cli, tmp_path):
    result = cli("plot", str(_toml(tmp_path, 'warmup_steps = 2\ndecay_type = "exp"')), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and "decay_type 'exp'" in result.stderr


def test_bad_override_value_and_bad_pin(cli, tmp_path):
    job = _toml(tmp_path, "warmup_steps = 2")
    script = tmp_path / "run.sh"
    script.write_text(f"python -m torchtitan.train --job.config_file {job} --training.steps 1e3\n")
    result = cli("steps", str(script))
    assert result.exit_code == 2 and "--training.steps: 1e3 is not a whole number" in result.stderr
    result = cli("steps", str(job), "--trainer", "sft@1.0")
    assert result.exit_code == 2 and "torchtitan@VERSION" in result.stderr


def test_release_from_installed_metadata(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("LRCLI_IGNORE_INSTALLED")
    site = tmp_path / "site"  # an installed torchtitan 0.1.0 as pip leaves it: its dist-info on sys.path
    (site / "torchtitan-0.1.0.dist-info").mkdir(parents=True)
    (site / "torchtitan-0.1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: torchtitan\nVersion: 0.1.0\n")
    monkeypatch.syspath_prepend(str(site))
    result = cli("show", str(_toml(tmp_path, "warmup_steps = 2\nlr_min = 0.5")))
    assert result.exit_code == 0, result.stderr
    assert "'torchtitan': '0.1.0'" in result.stdout and "installed" in result.stdout


def test_warmup_beyond_the_steps_is_clamped_with_torchtitans_warning(cli, tmp_path):
    result = cli("steps", str(_toml(tmp_path, "warmup_steps = 50")))
    assert result.exit_code == 0
    assert "W = 20" in result.stdout and "adjusts warmup steps to 20" in result.stderr


def test_trailing_overrides_after_double_dash(cli, tmp_path):
    """`lrcli steps job.toml -- --training.steps 500 --lr_scheduler.warmup_steps=20`: the overrides torchtitan's
    launch would pass, over the file's values (and over a launch script's own)."""
    result = cli("steps", str(SAMPLE), "--", "--training.steps", "500", "--lr_scheduler.warmup_steps=20")
    assert result.exit_code == 0, result.stderr
    assert "T = 500" in result.stdout and "W = 20" in result.stdout
    result = cli("steps", str(ROOT / "sample_configs" / "torchtitan_train.sh"), "--", "--training.steps=300")
    assert "T = 300" in result.stdout and "W = 50" in result.stdout


def test_trailing_overrides_belong_to_torchtitan_configs(cli):
    result = cli("steps", str(ROOT / "sample_configs" / "trl_sft.yaml"), "--", "--training.steps", "5")
    assert result.exit_code == 2 and "overrides of torchtitan configs" in result.stderr


def test_a_script_running_no_known_trainer_says_so(cli, tmp_path):
    script = tmp_path / "prep.sh"
    script.write_text("python prepare_data.py --out data\n")
    result = cli("steps", str(script))
    assert result.exit_code == 2 and "no command of this script runs a training entry point lrcli reads" in result.stderr
    assert "torchtitan.train" in result.stderr and "pretrain_gpt.py" in result.stderr


def test_training_keys_of_another_release(cli, tmp_path):
    """0.2.1 moved [training] seed to [debug]: a 0.2.0 job file with it is 0.2.1's ValueError."""
    path = tmp_path / "job.toml"
    path.write_text("[lr_scheduler]\nwarmup_steps = 2\n\n[training]\nsteps = 20\nseed = 1\n")
    assert cli("steps", str(path), "--trainer", "torchtitan@0.2.0").exit_code == 0
    result = cli("steps", str(path), "--trainer", "torchtitan@0.2.1")
    assert result.exit_code == 2 and "Invalid field names in Training: seed" in result.stderr
