"""Without --transformers-version, lrcli plans with the rules of the transformers installed beside it (its package
metadata, read with importlib.metadata; transformers is never imported), unless the config's framework requires
another; without one installed, with the newest rules it knows. Every output says which and why.

The other tests run with LRCLI_IGNORE_INSTALLED=1 (conftest); these unset it. An installed transformers of another
version is a `transformers-<version>.dist-info` on sys.path, as pip lays one out (only its metadata is read)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import DATA, framework_source, run_json

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    """Look at the environment; `install(version)` puts a transformers of that version first on sys.path."""
    monkeypatch.delenv("LRCLI_IGNORE_INSTALLED")

    def install(version: str, tmp_path: Path) -> None:
        dist = tmp_path / "site" / f"transformers-{version}.dist-info"
        dist.mkdir(parents=True)
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: transformers\nVersion: {version}\n")
        monkeypatch.syspath_prepend(str(tmp_path / "site"))
        importlib.invalidate_caches()

    return install


def _plan(cli, *args: str) -> dict:
    result = cli("steps", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)["plan"]


def _golden(version: str) -> list[dict]:
    return json.loads((DATA / f"steps_transformers_{version}.json").read_text())["cases"]


def _case_flags(case: dict) -> list[str]:
    flags = ["--samples", str(case["samples"]), "--batch", str(case["batch"]), "--grad-accum", str(case["grad_accum"]),
             "--epochs", repr(case["epochs"]), "--world-size", str(case["world_size"]), "--max-steps",
             str(case["max_steps"])]
    return flags + (["--drop-last"] if case["drop_last"] else [])


def test_an_installed_4_51_3_counts_as_the_real_4_51_3(cli, tmp_path, environment) -> None:
    """Cases where transformers 4.51.3 and 5.24.0 count differently (goldens from tools/gen_steps_451.py): with a
    4.51.3 installed and no flag, lrcli gives 4.51.3's T."""
    new = {json.dumps(c["case"], sort_keys=True): c["trainer"] for c in _golden("5.24.0")}
    differing = [c for c in _golden("4.51.3") if "error" not in c["trainer"] and not c["case"]["warmup_ratio"]
                 and not c["case"]["warmup_steps"] and new.get(json.dumps(c["case"], sort_keys=True), {})
                 .get("total_steps") not in (None, c["trainer"]["total_steps"])][:5]
    assert differing, "the goldens have cases where the two versions differ"
    environment("4.51.3", tmp_path)
    for case in differing:
        plan = _plan(cli, *_case_flags(case["case"]))
        assert plan["total_steps"] == case["trainer"]["total_steps"], case
        assert plan["rules"]["transformers"] == {"version": "4.51.3", "source": "installed"}
    result = cli("plot", "--schedule", "cosine", *_case_flags(differing[0]["case"]), "-o", str(tmp_path / "c.csv"))
    assert "(transformers 4.51.3, installed)" in result.stderr
    assert "HF Trainer rules of transformers 4.51.3, installed" in cli("steps", *_case_flags(differing[0]["case"])).stdout


def test_the_flag_wins_over_the_installed_one(cli, tmp_path, environment) -> None:
    environment("4.51.3", tmp_path)
    plan = _plan(cli, "--samples", "1000", "--transformers-version", "5.14")
    assert plan["rules"]["transformers"] == {"version": "5.14", "source": "--transformers-version"}


def test_the_real_environment(cli, environment) -> None:
    """This venv's own transformers (5.25.0 with the oracle extra), or none: the newest rules lrcli knows."""
    try:
        installed = importlib.metadata.version("transformers")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    rules = _plan(cli, "--samples", "1000")["rules"]["transformers"]
    if installed is None:
        assert rules == {"version": "5.25", "source": "the newest lrcli knows; none installed"}
    else:
        assert rules == {"version": installed, "source": "installed"}


@pytest.mark.parametrize(("installed", "expected"), [
    ("4.57.6", {"version": "4.57.6", "source": "installed"}),  # inside LLaMA-Factory 0.9.5's range
    ("4.57.0", {"version": "5.6", "source": "the newest LLaMA-Factory 0.9.5 allows; the installed 4.57.0 is "
                                          "outside its range"}),  # excluded by name
    ("5.24.0", {"version": "5.6", "source": "the newest LLaMA-Factory 0.9.5 allows; the installed 5.24.0 is "
                                          "outside its range"}),
])
def test_a_framework_s_requirement_decides_whether_the_installed_one_applies(cli, tmp_path, environment, installed,
                                                                              expected) -> None:
    environment(installed, tmp_path)
    config = ROOT / "sample_configs" / "llamafactory_sft.yaml"
    assert _plan(cli, str(config), "--samples", "1000")["rules"]["transformers"] == expected


@pytest.mark.parametrize(("name", "module", "line"), [("llamafactory", "llamafactory", None), ("axolotl", "axolotl", "0.19"),
                                                      ("axolotl-0.20", "axolotl", "0.20"),
                                                      ("axolotl-0.21", "axolotl", "0.21")])
def test_the_requirements_are_the_frameworks_own(name: str, module: str, line: str | None) -> None:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    dialect = importlib.import_module(f"lrcli.dialects.{module}")
    if line is not None:  # axolotl: one requirement per release line
        dialect = types.SimpleNamespace(TRANSFORMERS=dialect.TRANSFORMERS[line])
    [metadata] = framework_source(name).parent.glob("*.dist-info/METADATA")
    required = [Requirement(line.split(":", 1)[1].strip()) for line in metadata.read_text().splitlines()
                if line.startswith("Requires-Dist: transformers")]
    assert [r.name for r in required] == ["transformers"] and not required[0].marker
    assert required[0].specifier == SpecifierSet(dialect.TRANSFORMERS.specifier)
    release = next(line.split(":", 1)[1].strip() for line in metadata.read_text().splitlines()
                   if line.startswith("Version:"))
    assert dialect.TRANSFORMERS.framework.endswith(f" {release}")
    assert required[0].specifier.contains(dialect.TRANSFORMERS.version)


def test_transformers_is_never_imported(tmp_path) -> None:
    # main(argv), not the console path: a console run ends with os._exit once its output is flushed
    code = ("import sys; from lrcli.cli import main\n"
            "try:\n    main(['steps', '--samples', '1000'])\nexcept SystemExit:\n    pass\n"
            "assert 'transformers' not in sys.modules, 'transformers was imported'\n"
            "print('ok')")
    env = {k: v for k, v in os.environ.items() if k != "LRCLI_IGNORE_INSTALLED"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok") and "installed" in proc.stdout
