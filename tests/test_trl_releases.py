"""TRL release lines: lrcli's per-trainer table against the defaults read from every release line's own configs
(tests/data/trl_defaults_history.json, tools/gen_trl_defaults.py), the release pins (`--trainer NAME@VERSION`, the
installed trl's package metadata, the newest), and TRL 1.16's own launcher on a key transformers 5.24 lacks."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import DATA, TOOLS, assert_one_error_line, framework_source, run_json

HISTORY = json.loads((DATA / "trl_defaults_history.json").read_text())
RELEASES = sorted(HISTORY, key=lambda v: tuple(int(p) for p in v.split(".")))
CURVE_KEYS = ("learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "warmup_ratio",
              "max_steps", "num_train_epochs", "per_device_train_batch_size", "gradient_accumulation_steps",
              "dataloader_drop_last", "num_generations", "num_iterations")  # fmt: skip
# RLOOConfig 0.22–0.24 keeps total_episodes only as a deprecated alias of max_steps; its trainer samples like GRPO.
DEPRECATED_TOTAL_EPISODES = {("rloo", v) for v in ("0.22.2", "0.23.1", "0.24.0")}


def _relevant(defaults: dict) -> dict:
    return {key: value for key, value in defaults.items() if key in CURVE_KEYS and value is not None}


def test_history_covers_every_minor_line_from_0_9_to_the_newest() -> None:
    from lrcli.dialects.trl import NEWEST

    assert len(RELEASES) == 38 and RELEASES[0] == "0.9.6" and RELEASES[-1] == NEWEST


@pytest.mark.parametrize("release", RELEASES)
def test_trainer_table_is_what_each_release_defines(release: str) -> None:
    from lrcli.dialects.trl import KNOWN_TRAINERS, on_policy, trainer_line

    golden = HISTORY[release]
    for trainer in KNOWN_TRAINERS:
        entry = golden.get(trainer)
        line = trainer_line(trainer, release)
        if entry is None:
            assert line is None and not on_policy(trainer, release), trainer
        elif entry.get("on_policy") and (trainer, release) not in DEPRECATED_TOTAL_EPISODES:
            assert on_policy(trainer, release) and line is None, trainer
        else:
            assert line is not None and not on_policy(trainer, release), trainer
            assert line[2] == _relevant(entry["defaults"]), trainer


@pytest.mark.oracle
@pytest.mark.parametrize("release", ["1.16.0", random.choice(RELEASES[:-1])])  # the newest and one line at random
def test_history_is_what_the_release_source_says(release: str) -> None:
    sys.path.insert(0, str(TOOLS))
    import framework_sources
    from gen_trl_defaults import trainer_table

    package = framework_sources.release_dir("trl", release, "trl")
    assert trainer_table(package, with_fields=False) == HISTORY[release]


def _show(cli, config: Path, *args: str) -> dict:
    result = cli("show", str(config), "--samples", "1000", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)["settings"]


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    path = tmp_path / "recipe_sft.yaml"
    path.write_text("model_name_or_path: m\nnum_train_epochs: 1\n")
    return path


def test_newest_release_without_a_pin_or_an_installed_trl(cli, recipe: Path) -> None:
    settings = _show(cli, recipe)
    assert settings["framework_version"]["value"] == "1.16.0"
    assert settings["framework_version"]["kind"] == "default"
    assert settings["learning_rate"]["value"] == 2e-5


def test_the_installed_trl_is_read_from_its_metadata(cli, recipe: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A trl-0.11.4.dist-info on the path (no trl package at all: it is never imported) gives 0.11's defaults."""
    site = tmp_path / "site"
    (site / "trl-0.11.4.dist-info").mkdir(parents=True)
    (site / "trl-0.11.4.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: trl\nVersion: 0.11.4\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("LRCLI_IGNORE_INSTALLED", raising=False)
    settings = _show(cli, recipe)
    assert settings["framework_version"] == {"value": "0.11.4", "source": "installed trl 0.11.4",
                                             "kind": "environment"}
    assert settings["learning_rate"]["value"] == 5e-5  # SFTConfig had no learning_rate of its own before 0.12
    pinned = _show(cli, recipe, "--trainer", "sft@1.16")  # a pin wins over the environment
    assert pinned["framework_version"]["value"] == "1.16" and pinned["learning_rate"]["value"] == 2e-5


@pytest.mark.parametrize(("pin", "words"), [("sft@0.8", "from 0.9 on"), ("sft@x.y", "not a version"),
                                             ("sft@", "after @"), ("grpo@0.13", "has no grpo"),
                                             ("rloo@0.21", "on-policy"), ("prm@1.16", "has no prm"),
                                             ("distillation", "unknown TRL trainer")])
def test_pins_lrcli_cannot_follow_are_refused(cli, recipe: Path, pin: str, words: str) -> None:
    assert words in assert_one_error_line(cli("show", str(recipe), "--trainer", pin))


def test_a_release_newer_than_the_newest_follows_it_with_a_warning(cli, recipe: Path) -> None:
    result = cli("steps", str(recipe), "--samples", "1000", "--trainer", "sft@1.17.0")
    assert result.exit_code == 0 and "newer than the newest release lrcli models (1.16)" in result.stderr


LAUNCH = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from accelerate.commands import launch
    launched = []
    launch.launch_command = launched.append  # bound as TRL's default launcher: the parse runs, nothing is launched
    from trl.cli.commands import get_commands
    from trl.cli.commands.base import CommandContext
    command = {c.name: c for c in get_commands()}[sys.argv[2]]
    argv = [sys.argv[2], "--config", sys.argv[3]]
    try:
        command.run(None, CommandContext(argv=argv))
    except SystemExit as exc:
        print("exit", exc.code)
    else:
        print("launched", len(launched))
""")


@pytest.mark.oracle
@pytest.mark.parametrize("trainer", ["sft", "dpo"])
def test_trl_1_16_s_own_launcher_stops_on_warmup_ratio_as_lrcli_says(cli, tmp_path: Path, trainer: str) -> None:
    """TRL 1.16's `TrainingCommand.run` (its parser + accelerate's launch parser; nothing launched) on transformers
    5.24: a leftover warmup_ratio stops the launch, and lrcli refuses the same file; without it, it launches."""
    source = framework_source("trl").parent
    for ratio, expected in (("warmup_ratio: 0.1\n", "exit 2"), ("", "launched 1")):
        config = tmp_path / f"{trainer}_run.yaml"
        config.write_text(f"model_name_or_path: m\nuse_cpu: true\noutput_dir: {tmp_path}\nnum_processes: 2\n{ratio}")
        run = subprocess.run([sys.executable, "-c", LAUNCH, str(source), trainer, str(config)], capture_output=True,
                             text=True, timeout=300)
        assert run.stdout.strip().rsplit("\n", 1)[-1] == expected, run.stderr[-2000:]
        result = cli("steps", str(config), "--samples", "1000", "--trainer", f"{trainer}@1.16",
                     "--transformers-version", "5.24.0")
        if ratio:
            assert "'unrecognized arguments: --warmup_ratio'" in assert_one_error_line(result)
            assert "unrecognized arguments: --warmup_ratio" in run.stderr
        else:
            assert result.exit_code == 0, result.stderr
