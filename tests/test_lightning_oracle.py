"""Live Lightning oracle: fresh random fits and every LightningCLI config text of tools/gen_lightning_steps.py, run
through the installed Lightning 2.6.6 (the oracle extra) and compared as tests/test_configs_lightning.py compares
the committed golden. Single-process fits only (ddp_spawn runs are in the golden): the suite must stay fast."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import oracle_import
from test_configs_lightning import check_cli_case, check_fit

pytestmark = pytest.mark.oracle

oracle_import("lightning")
oracle_import("jsonargparse")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import gen_lightning_steps as gen  # noqa: E402


def _quick(case: dict) -> bool:
    return case["world_size"] == 1 and not (case["max_epochs"] is None and case["max_steps"] == -1)


FRESH = [case for case in gen.random_cases(40, seed=7) if _quick(case)][:8]


@pytest.mark.parametrize("case", FRESH, ids=lambda case: f"N{case['samples']}-b{case['batch']}-{case['spec']['scheduler']}")
def test_fresh_fit_matches_live_lightning(case: dict) -> None:
    try:
        record = gen.run_fit(case)
    except Exception as exc:  # noqa: BLE001 - Lightning refused it: lrcli must refuse it too
        record = {**case, "error": gen._error(exc)}
    check_fit(record)


@pytest.mark.parametrize("case", gen.cli_cases(), ids=lambda case: case["name"])
def test_config_text_matches_live_lightningcli(case: dict, tmp_path: Path) -> None:
    record = gen.run_cli_case(case)
    if case["name"] == "fit_subcommand_nesting":
        record.pop("limit_train_batches")  # the generator sets it to 0 so that `fit` only parses
    check_cli_case(record, tmp_path)
