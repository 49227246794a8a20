"""The generated docs match the code, and every command is in the README."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

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
