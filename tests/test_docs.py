"""The generated docs match the code, and every command is in the README."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from lrcli.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_schedule_docs", ROOT / "tools" / "gen_schedule_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schedule_docs_are_current():
    assert (ROOT / "docs" / "schedules.md").read_text() == _generator().render(), (
        "docs/schedules.md is stale: run python tools/gen_schedule_docs.py"
    )


@pytest.mark.parametrize("command", [c.name or c.callback.__name__ for c in app.registered_commands])
def test_every_command_is_in_the_readme(command):
    assert f"lrcli {command}" in (ROOT / "README.md").read_text()


def _readme_commands() -> list[str]:
    """Every `lrcli …` line of the README's bash blocks, trailing comments removed."""
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("lrcli ")]


_PLACEHOLDERS = ("train.jsonl", "recipe.yaml", "lf.yaml")  # the README says these stand for the reader's own files


@pytest.mark.parametrize("line", [c for c in _readme_commands() if not any(p in c for p in _PLACEHOLDERS)])
def test_readme_command_runs_as_written(cli, tmp_path, monkeypatch, line):
    """From a clone's root (sample_configs/ and tests/data/ beside it), each example succeeds as printed."""
    for name in ("sample_configs", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    result = cli(*shlex.split(line)[1:])
    assert result.exit_code == 0, (line, result.stderr)


@pytest.mark.parametrize("doc", ["README.md", "docs/api.md"])
def test_python_examples_run_as_written(doc, tmp_path, monkeypatch):
    """Each ```python block runs from a clone's root (sample_configs/ beside it); the T and W it states are what the
    CLI gives for that run."""
    for name in ("sample_configs", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / doc).read_text(), re.S)
    assert blocks
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, doc, "exec"), namespace)  # noqa: S102 - our own documentation
        if "report" in namespace:  # lrcli.overlay on tests/data/overlay/hf-combined: what its case.json says it ran
            ran = json.loads((ROOT / "tests/data/overlay/hf-combined/case.json").read_text())["ran"]
            told = yaml.safe_load((ROOT / "tests/data/overlay/hf-combined/config.yaml").read_text())
            report = namespace["report"]
            assert (report["cause"], report["facts"]["factor"]) == ("stretched+scaled", ran["gradient_accumulation_steps"])
            assert report["facts"]["scale"] == pytest.approx(ran["learning_rate"] / told["learning_rate"], rel=1e-12)
            continue
        plan = namespace["plan"]
        assert (plan.total, plan.warmup) == (2439, 244)  # `lrcli plot sample_configs/trl_sft.yaml --samples 52002 --world-size 8`
