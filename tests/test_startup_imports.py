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

# The sample configs `check` reads without numpy: every one whose schedule has a scalar twin.
CHECKED_SAMPLES = ("trl_sft.yaml", "hf_training_args.json", "llamafactory_sft.yaml", "torchtune_lora.yaml",
                   "swift_sft.sh", "deepspeed_warmup_decay.json", "hf_with_deepspeed.yaml", "axolotl_deepspeed.yml",
                   "axolotl_deepspeed_zero2.json", "axolotl_lora.yml",
                   "lightning_onecycle.yaml", "lightning_steplr.yaml",  # torch's twins, on Lightning's epoch clock
                   "megatron_gpt_wsd.sh", "torchtitan_llama3_8b.toml", "torchtitan_train.sh",
                   "torchtitan_0_3_llama3_8b.sh", "verl_grpo.sh", "verl_ppo.yaml")

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
    # check: the curve rules read the peak, final LR and first rows from the schedule's scalar twin (curve_facts)
    *[(["check", str(ROOT / "sample_configs" / name), "--samples", "5000"], LIGHT) for name in CHECKED_SAMPLES],
    (["check", "--total-steps", "1000000000", SFT], LIGHT),  # any T: no curve is evaluated
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
    assert code in ((0, 1, None) if args[0] == "check" else (0, None))  # check: 1 = it found an error
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


# What a run from flags alone must not import: the YAML/TOML parsers and the readers of configs, scripts and data
# (imported when a file is read), the other commands, the lint command's search, importlib.metadata (the version is
# in the dist-info's name) and the planners of other frameworks.
FLAGS_ONLY_ABSENT = ("yaml", "tomllib", "importlib.metadata", "lrcli.dialects.hf", "lrcli.inputs.launch_script",
                     "lrcli.data.refs", "lrcli.inputs.config_search", "lrcli.cli.plot", "lrcli.cli.compare",
                     "lrcli.steps.axolotl", "lrcli.steps.megatron")


def test_steps_from_flags_imports_no_reader():
    code, modules = _modules_after(["steps", "--samples", "10000", "--batch", "8", "--warmup-ratio", "0.1"])
    assert code in (0, None)
    assert not [m for m in FLAGS_ONLY_ABSENT if m in modules]


def test_registries_name_what_they_load():
    """The names kept for start-up (dialects.NAMES, cli.COMMANDS, the planners' module:function tables, check's
    formats) are the modules and functions they stand for."""
    import lrcli.cli
    from lrcli import dialects, steps
    from lrcli.cli.check import FORMATS
    from lrcli.lint.report import FORMATS as REPORT_FORMATS

    assert tuple(dialects.registry()) == dialects.NAMES
    assert all(module.NAME == name for name, module in dialects.DIALECTS.items())
    assert FORMATS == REPORT_FORMATS
    for table in (steps.PLANNERS, steps.ROW_RULES, steps.KWARG_RULES):
        assert all(callable(function) for _, function in table.items())
    assert [c.name for c in lrcli.cli.app.registered_commands] == list(lrcli.cli.COMMANDS)


def test_installed_version_from_the_listing_is_what_importlib_metadata_reads(tmp_path, monkeypatch):
    """inputs.installed reads a version from the `<name>-<version>.dist-info` directory's name; for every
    distribution of this environment it gives what importlib.metadata gives (or defers to it), and none for a
    name that is not installed. A path entry with two candidates, or an .egg-info, defers too."""
    import importlib.metadata

    from lrcli.inputs.installed import _UNSURE, _listed_version, installed_version

    monkeypatch.delenv("LRCLI_IGNORE_INSTALLED", raising=False)
    names = {dist.metadata["Name"] for dist in importlib.metadata.distributions()}
    assert len(names) > 20
    for name in names:
        listed = _listed_version(name)
        assert listed is _UNSURE or listed == importlib.metadata.version(name), name
        assert installed_version(name) == importlib.metadata.version(name), name
    assert _listed_version("no-such-distribution-lrcli") is None
    for layout in (["demo_pkg-1.2.dist-info", "demo_pkg-1.3.dist-info"], ["demo_pkg.egg-info"], ["Demo.Pkg-2.0.dist-info"]):
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        for entry in layout:
            (root / entry).mkdir(parents=True)
            (root / entry / ("PKG-INFO" if entry.endswith("egg-info") else "METADATA")).write_text(
                f"Metadata-Version: 2.1\nName: demo-pkg\nVersion: {entry.split('-')[-1].split('.dist')[0]}\n")
        monkeypatch.setattr(sys, "path", [str(root), *sys.path])
        listed = _listed_version("demo-pkg")
        assert (listed == "2.0") if layout[0].startswith("Demo") else listed is _UNSURE, layout
