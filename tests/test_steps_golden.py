"""lrcli's step plans against golden rows recorded from real transformers installs by tools/gen_steps_451.py.

One file per rule set: 4.51.3 floor rule (max(L // GA, 1)) with the 4.x warmup precedence; 4.52.4 ceil rule with
it; 5.14.1 where a set warmup_ratio overrides warmup_steps; 5.24.0 where warmup_ratio is gone; 5.25.0 (with accelerate
1.16.0), the newest release, which counts every case and run as 5.24.0 does. Each file also has
real training runs that show where the last optimizer step falls. No expected number here was typed by hand.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lrcli.config import resolve
from lrcli.errors import LrcliError
from lrcli.steps import plan_steps
from lrcli.steps.hf_versions import rules_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from steps_cases import config_layer  # noqa: E402

DATA = Path(__file__).parent / "data"
GOLDEN = sorted(DATA.glob("steps_transformers_*.json"))
FIELDS = (
    "total_steps",
    "warmup_steps",
    "update_steps_per_epoch",
    "num_train_epochs",
    "batches_per_epoch",
    "total_train_batch_size",
)


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _plan(case: dict, version: str):
    return plan_steps(resolve([(config_layer(case, version), "golden case")]))


def _mismatch(case: dict, expected: dict, version: str) -> str | None:
    try:
        plan = _plan(case, version)
    except LrcliError as exc:
        if "error" in expected or expected.get("batches_per_epoch") == 0:
            return None  # the Trainer refuses too (or loops forever over an empty dataloader)
        return f"{case}: lrcli error {exc!s}, Trainer {expected}"
    if "error" in expected:
        if "must be of type int" in expected["error"] and case["warmup_steps"] == int(case["warmup_steps"]):
            return None  # 4.42+ rejects the float 1.0; lrcli stores warmup_steps as a number and cannot tell 1.0 from 1
        if expected["error"].startswith("TypeError") and "warmup_ratio" in expected["error"]:
            # >= 5.15 has no warmup_ratio; lrcli reads it as the ratio meant, and must say so.
            return None if any("has no warmup_ratio" in n for n in plan.notes) else f"{case}: no warmup_ratio note"
        return f"{case}: Trainer raises {expected['error']}, lrcli plans T={plan.total}"
    got = {
        "total_steps": plan.total,
        "warmup_steps": plan.warmup,
        "update_steps_per_epoch": plan.update_steps_per_epoch,
        "num_train_epochs": plan.num_train_epochs,
        "batches_per_epoch": plan.batches_per_epoch,
        "total_train_batch_size": plan.total_train_batch_size,
    }
    wrong = {f: (got[f], expected[f]) for f in FIELDS if got[f] != expected[f]}
    return f"{case}: (lrcli, Trainer) differ on {wrong}" if wrong else None


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_cases(path: Path) -> None:
    golden = _load(path)
    version = golden["versions"]["transformers"]
    rows = golden["cases"]
    mismatches = [m for m in (_mismatch(r["case"], r["trainer"], version) for r in rows) if m]
    assert len(rows) >= 300
    assert not mismatches, f"{len(mismatches)} of {len(rows)} differ, e.g. " + "; ".join(mismatches[:3])


def test_golden_files_exist_for_both_rule_sets() -> None:
    versions = {_load(p)["versions"]["transformers"] for p in GOLDEN}
    assert {"4.51.3", "4.52.4", "5.14.1", "5.24.0", "5.25.0"} <= versions


def test_the_newest_release_counts_as_the_line_before_it_and_lrcli_gives_both_one_rule_set() -> None:
    """transformers 5.25.0 + accelerate 1.16.0 left set_initial_training_values, get_warmup_steps and the dataloader
    sharding as 5.24.0 + accelerate 1.15.0 had them: the real code gives the same rows and runs, and lrcli plans both
    with the same rules (only the version differs)."""
    by_version = {_load(p)["versions"]["transformers"]: _load(p) for p in GOLDEN}
    old, new = by_version["5.24.0"], by_version["5.25.0"]
    assert (new["versions"]["accelerate"], old["versions"]["accelerate"]) == ("1.16.0", "1.15.0")
    assert new["cases"] == old["cases"] and new["runs"] == old["runs"]
    (rules_old, _), (rules_new, notes) = rules_for("5.24.0"), rules_for("5.25.0")
    assert notes == ()  # 5.25 is a line lrcli has checked
    assert replace(rules_new, name=rules_old.name, version=rules_old.version) == rules_old


def _runs():
    for path in GOLDEN:
        golden = _load(path)
        for run in golden["runs"]:
            yield pytest.param(golden["versions"]["transformers"], run, id=f"{path.stem}-{run['why'][:40]}")


@pytest.mark.parametrize(("version", "run"), list(_runs()))
def test_real_runs_stop_where_lrcli_says(version: str, run: dict) -> None:
    """transformers #36297: under 4.51.3 a run reaches T before its last epoch; the note must give that epoch."""
    plan = _plan(run["case"], version)
    assert plan.total == run["trainer"]["global_step"] == run["trainer"]["max_steps"], run["why"]
    assert plan.final_epoch == pytest.approx(run["trainer"]["epoch"], rel=1e-12, abs=0), run["why"]
    epoch = run["trainer"]["epoch"]
    off_target = run["case"]["max_steps"] > 0 or abs(epoch - run["case"]["epochs"]) > 1e-9
    told = any(f"training stops at epoch {epoch:.4g}" in note for note in plan.notes)
    assert told == off_target, (run["why"], plan.notes)
