"""The CLI as people expect it: help text that reads as prose, metavars that mean what the output means, every
dialect listed, shell completion, and `lrcli schedules` in columns."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from lrcli.cli import app, schedules
from lrcli.cli.app import Command
from lrcli.dialects import DIALECTS
from lrcli.schedules import SCHEDULES

COMMANDS = ("plot", "compare", "steps", "show", "schedules")


def _help(*args: str, width: int = 1000) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


def _click_command(name: str):
    return typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("args", [(), *((c,) for c in COMMANDS)])
def test_help_shows_no_type_noise(args):
    text = _help(*args)
    for noise in ("<bool>", "<str>", "<float>", "<int>", "<list"):
        assert noise not in text, (noise, text)


@pytest.mark.parametrize("command", COMMANDS)
def test_no_sentence_is_broken_across_lines(command):
    """Each paragraph of a command's description is one line of its help at a width that fits it (Typer keeps the
    source's line breaks in every paragraph after the first)."""
    text = _help(command)
    lines = [line.strip() for line in text.splitlines()]
    paragraphs = [p for p in _click_command(command).help.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 1
    for paragraph in paragraphs:
        assert "\n" not in paragraph, paragraph
        assert paragraph.strip() in lines, (paragraph, text)


def _output_symbols() -> set[str]:
    """The one- and two-letter symbols lrcli's own output uses for quantities (B, L, U, T, W, …), read from
    `lrcli steps --explain` and `lrcli steps` on runs of every framework."""
    runs = [
        ["--samples", "5003", "--batch", "4", "--grad-accum", "2", "--world-size", "4", "--warmup-ratio", "0.1"],
        ["--samples", "5003", "--max-steps", "100", "--warmup-steps", "10"],
    ]
    symbols: set[str] = set()
    for run in runs:
        for extra in ([], ["--explain"]):
            result = CliRunner().invoke(app, ["steps", *run, *extra])
            assert result.exit_code == 0, result.output
            symbols |= set(re.findall(r"\b([A-Z]{1,2})\b(?= =| \d| \()", result.stdout))
    assert {"B", "L", "U", "T", "W", "N"} <= symbols, symbols
    return symbols


# The options whose value IS the quantity the output names with that symbol.
SAME_QUANTITY = {"--total-steps": "T", "--samples": "N", "--grad-accum": "GA", "--epochs": "E",
                 "--warmup-ratio": "R", "--warmup-steps": "X"}  # fmt: skip


def test_metavars_do_not_collide_with_the_symbols_of_the_output():
    symbols = _output_symbols() | {"GA", "E", "R", "X"}
    for name in ("plot", "compare", "steps", "show"):
        for param in _click_command(name).params:
            metavar = getattr(param, "metavar", None)
            if not metavar or param.param_type_name != "option":
                continue
            if metavar in symbols:
                assert SAME_QUANTITY.get(param.opts[0]) == metavar, (
                    f"{name} {param.opts[0]} {metavar}: the output uses {metavar} for something else"
                )
    text = _help("plot")
    assert re.search(r"--world-size.*PROCS", text) and re.search(r"--batch.*SIZE", text), text


@pytest.mark.parametrize("command", ["plot", "compare", "steps", "show"])
def test_config_help_and_dialect_list_every_dialect(command):
    params = {p.name: p for p in _click_command(command).params}
    dialect_help = params["dialect"].help
    assert all(name in dialect_help for name in DIALECTS), dialect_help
    if command != "compare":  # compare's arguments are schedules or configs, detected by their suffix
        config_help = params["config_path"].help
        assert all(name in config_help for name in DIALECTS), config_help
    assert "lightning" in _help(command)


def test_command_help_is_unwrapped_but_keeps_paragraphs():
    command = Command(name="x", help="First line\n  continued.\n\nSecond paragraph\nwraps here.\n\nExample: x")
    assert command.help == "First line continued.\n\nSecond paragraph wraps here.\n\nExample: x"


# ------------------------------------------------------------------------------------------------- usage errors
@pytest.mark.parametrize(
    "args,expected",
    [
        (["plot", "--bogus"], "lrcli: error: plot: no such option: --bogus (see `lrcli plot --help`)"),
        (["--bogus"], "lrcli: error: no such option: --bogus (see `lrcli --help`)"),
        (["steps", "--dpi", "3"], "lrcli: error: steps: no such option: --dpi (see `lrcli steps --help`)"),
    ],
)
def test_usage_error_names_lrcli_once(args, expected):
    proc = subprocess.run([sys.executable, "-m", "lrcli", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [expected], proc.stderr
    assert proc.stderr.count("lrcli: error:") == 1 and "lrcli plot:" not in proc.stderr


# ---------------------------------------------------------------------------------------------------- completion
def _complete(words: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash completion offers for the last of `words` (Typer's protocol: _LRCLI_COMPLETE=complete_bash)."""
    parts = words.split(" ")
    proc = subprocess.run(
        [sys.executable, "-m", "lrcli"],
        env={**os.environ, "_LRCLI_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1),
             **(env or {})},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


def test_completion_offers_schedule_names():
    assert _complete("lrcli plot --schedule cos") == [n for n in SCHEDULES if n.startswith("cos")]
    assert _complete("lrcli plot --lr-scheduler-type Step") == ["StepLR"]


def test_completion_offers_dialects_and_units():
    assert _complete("lrcli steps train.yaml --dialect ") == list(DIALECTS)
    assert _complete("lrcli plot --x e") == ["epochs"]
    assert _complete("lrcli plot --step-unit ") == ["step", "epoch"]


def test_compare_completes_schedule_names_and_leaves_paths_to_the_shell():
    assert _complete("lrcli compare cosine constant_w") == ["constant_with_warmup"]
    assert _complete("lrcli compare ./conf") == []  # bash's `complete -o default` then lists the files


def test_completion_can_be_installed():
    text = _help()
    assert "--install-completion" in text and "--show-completion" in text
    proc = subprocess.run(
        [sys.executable, "-m", "lrcli", "--show-completion", "bash"],
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "_LRCLI_COMPLETE=complete_bash" in proc.stdout and "complete -o default" in proc.stdout


# ------------------------------------------------------------------------------------------------ lrcli schedules
def test_schedules_columns_stay_apart_for_long_names(cli, monkeypatch):
    long_name = "a_schedule_with_a_name_longer_than_any_column_width_so_far"
    registry = dict(SCHEDULES)
    registry[long_name] = SCHEDULES["cosine"].__class__(**{**vars(SCHEDULES["cosine"]), "name": long_name})
    monkeypatch.setattr(schedules, "SCHEDULES", registry)
    result = cli("schedules")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("  ") and line.strip()]
    starts = set()
    for line in rows:
        match = re.match(r"  (\S+)( {2,})(\S)", line) or re.match(r"  ( +)(params: )", line)
        assert match, line  # a name and its summary, or an indented params line: never run together
        starts.add(match.end() - 1 if match.re.pattern.startswith("  (\\S") else len(match.group(1)) + 2)
    assert len(starts) == 1, starts  # every summary and params line starts in the same column
    assert f"  {long_name}  " in result.stdout
