"""Start-up (issue 15): the commands that only read settings import neither numpy nor matplotlib, and no plotting
command imports pyplot. Each case runs the real command in a fresh interpreter and reads `sys.modules` after it.
Adding a command is one line in COMMANDS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SFT = str(ROOT / "sample_configs" / "trl_sft.yaml")

# (arguments, modules that must not be imported)
LIGHT = ("numpy", "matplotlib")
COMMANDS = [
    (["--help"], LIGHT),
    (["schedules"], LIGHT),
    (["steps", "--samples", "10000", "--batch", "8", "--world-size", "8"], LIGHT),
    (["steps", SFT, "--samples", "5000", "--explain"], LIGHT),  # a warmup-free config read through its dialect
    (["steps", "--total-steps", "1000", "--json"], LIGHT),
    (["show", SFT, "--offline"], LIGHT),
    (["show", SFT, "--samples", "5000", "--json"], LIGHT),
    (["plot", "--total-steps", "100", "-o", "-"], ("matplotlib",)),  # a table draws nothing
    (["plot", "--total-steps", "100", "--format", "png", "-o", "{tmp}/x.png"], ("matplotlib.pyplot",)),
]

_PROBE = """
import json, sys
from lrcli.cli import main
try:
    main(json.loads(sys.argv[1]))
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _modules_after(args: list[str]) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env={"LRCLI_IGNORE_INSTALLED": "1", "HF_HUB_OFFLINE": "1",
                                                      "PATH": "/usr/bin:/bin"})
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.mark.parametrize(("args", "absent"), COMMANDS, ids=lambda v: " ".join(v)[:60] if isinstance(v, list) else "")
def test_command_imports_only_what_it_uses(args, absent, tmp_path):
    code, modules = _modules_after([a.replace("{tmp}", str(tmp_path)) for a in args])
    assert code in (0, None)
    imported = sorted(m for m in modules if m.split(".")[0] in absent or m in absent)
    assert not [m for m in imported if any(m == a or m.startswith(a + ".") for a in absent)], imported


def test_typer_coercion_library_is_not_loaded_for_plain_values():
    """Typer 0.29 coerces every option through pydantic, built even for options left unset; lrcli passes values
    that need no conversion through (cli/app.py), so a settings-only command does not pay for pydantic's import
    — unless importing Typer itself already does (another Typer version)."""
    typer_alone = subprocess.run([sys.executable, "-c", "import sys, typer; print('pydantic' in sys.modules)"],
                                 capture_output=True, text=True, timeout=60).stdout.strip()
    _, modules = _modules_after(["steps", "--samples", "10000", "--batch", "8", "--max-steps", "50"])
    assert typer_alone == "True" or "pydantic" not in modules
