"""Shared test helpers: run the CLI in-process and read the golden data."""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from lrcli.cli import app

DATA = Path(__file__).parent / "data"
TOOLS = Path(__file__).resolve().parents[1] / "tools"

# lrcli reads the installed transformers' version for its default rules (lrcli.inputs.installed); the test venv has
# transformers 5.25.0 for the oracle tests, a user's has another or none: every test plans as on a machine without it,
# except those that check the lookup itself (they unset this with monkeypatch).
os.environ["LRCLI_IGNORE_INSTALLED"] = "1"

# No test may leave a huge file behind (a run once wrote 20 GB into /tmp): files are capped at 1 GiB for the whole
# session, and lrcli refuses a table larger than that limit before writing a byte (cli/output.py). A write past
# the limit fails with EFBIG instead of killing the process (SIGXFSZ ignored).
TEST_FILE_LIMIT = 1 << 30
if hasattr(signal, "SIGXFSZ"):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if _soft == resource.RLIM_INFINITY or _soft > TEST_FILE_LIMIT:
        resource.setrlimit(resource.RLIMIT_FSIZE, (TEST_FILE_LIMIT, _hard))

# CI (.ci/run) draws the same examples every run, so a red build always reproduces; locally every run explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# The environment variables that point lrcli (and the Hugging Face libraries) at a Hub or a cache.
HUB_ENV = ("HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_DATASETS_CACHE", "HF_TOKEN",
           "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "LRCLI_CACHE_DIR", "LRCLI_DATASET_VIEWER", "LRCLI_HUB_TIMEOUT")


@pytest.fixture(autouse=True)
def no_real_hub(tmp_path_factory, monkeypatch, request):
    """No test reads the developer's Hugging Face caches or lrcli's answer cache, or asks the real Hub: every test
    starts offline with empty caches (tests that need a Hub start the stand-in, tests/hub_standin.py, and set
    HF_ENDPOINT). Tests marked `network` keep the network and get empty caches only."""
    for name in HUB_ENV:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("no_real_hub")
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.setenv("LRCLI_CACHE_DIR", str(home / "lrcli"))
    monkeypatch.setenv("HF_TOKEN_PATH", str(home / "no-token"))
    if request.node.get_closest_marker("network") is None:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def cli():
    """`cli(*args)` -> typer Result with .exit_code, .stdout, .stderr."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


@cache
def hf_golden() -> dict[str, Any]:
    return json.loads((DATA / "hf_golden.json").read_text())


def run_json(text: str) -> dict[str, Any]:
    """The one run of a schema-1 JSON document (`steps --json`, `show --json`, `plot -o x.json`)."""
    document = json.loads(text)
    assert document["schema"] == 1 and len(document["runs"]) == 1, document.keys()
    return document["runs"][0]


def assert_one_error_line(result: Any) -> str:
    """The CLI error contract: exit 2, one `lrcli: error:` line on stderr, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lrcli: error: "), lines[0]
    assert result.stdout == ""
    return lines[0]


def twin_rows(curve: Any) -> list[float]:
    """A computed curve's rows 0 … T from its schedule's scalar twin (`Schedule.scalar`, what `lrcli check` reads
    without numpy), in plain Python floats: to hold against the framework's own values bit for bit."""
    from lrcli.schedules import bind_kwargs, get_schedule
    from lrcli.schedules.pieces import full_params

    schedule = get_schedule(curve.schedule)
    params = full_params(schedule.fn, bind_kwargs(schedule, curve.kwargs))
    return [schedule.scalar(s, lr=curve.base_lr, warmup=curve.plan.warmup, total=curve.plan.total, **params)
            for s in range(curve.plan.total + 1)]


def oracle_import(name: str) -> ModuleType:
    """Import a reference library for an oracle test: skip without it, except where CI demands the oracle
    (LRCLI_REQUIRE_ORACLE=1), so a broken install cannot turn the parity tests into silent skips."""
    if os.environ.get("LRCLI_REQUIRE_ORACLE") == "1":
        return importlib.import_module(name)
    return pytest.importorskip(name)


@cache
def framework_source(name: str) -> Path:
    """The pinned framework's own package directory (tools/framework_sources.py: `deepspeed`, `axolotl`, `trl`,
    `trl-0.11`, `llamafactory`), fetched from PyPI into the user cache on first use. A failed fetch fails the
    test that needs it: these tests never skip."""
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    import framework_sources

    return framework_sources.package_dir(name)


def framework_sdist(name: str) -> Path:
    """The unpacked source distribution of a pinned framework (tools/framework_sources.py SDISTS: `llamafactory`,
    whose sdist carries the bundled demo data/), fetched from PyPI into the user cache on first use."""
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    import framework_sources

    return framework_sources.sdist_dir(name)


def recipe_pin(path: Path) -> list[str]:
    """The pins under which a real config runs as its authors ran it. TRL recipes (torch_dtype, warmup_ratio, written
    for TRL 0.2x on transformers 4.x): TRL 0.24 on transformers 4.57.6 — TRL 1.16's launcher refuses them
    (tests/data/real_config_goldens.json records what it refuses). axolotl's fp8-fsdp2 example keeps FSDP1's
    fsdp_config.sharding_strategy: axolotl 0.19 — 0.20+ refuse it (tests/data/axolotl_rules_golden_<V>.json)."""
    path = Path(path)
    if path.parent.name == "trl":
        from lrcli.dialects.trl import trainer_from_name

        return ["--transformers-version", "4.57.6", "--trainer", f"{trainer_from_name(path) or 'sft'}@0.24"]
    if path.name == "llama-3_3b-fp8-fsdp2_cosine-min-lr.yaml":
        return ["--trainer", "@0.19"]
    return []


def assert_same_lrs(got: Any, expected: Any) -> None:
    """The project's parity bound: max |Δ| ≤ 1e-12 × the peak. Bit-identical where numpy's exp/cos/pow are the C
    library's, as the frameworks' Python `math` is; on CPUs where numpy dispatches its own SIMD versions (AVX-512:
    numpy.show_runtime() lists AVX512_SKX/ICL) they may differ from libm in the last bit."""
    import numpy as np

    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    worst = float(np.max(np.abs(got - expected))) if got.size else 0.0
    assert worst <= 1e-12 * float(np.max(np.abs(expected), initial=0.0)), worst
