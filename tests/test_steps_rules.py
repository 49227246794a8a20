"""Version parsing and the rule choices lrcli makes where the issue left it to us (no torch needed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.config import resolve
from lrcli.errors import LrcliError
from lrcli.steps import plan_steps
from lrcli.steps.hf_versions import parse_version, rules_for


def plan(**values):
    return plan_steps(resolve([(values, "test")]))


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("4.51", (4, 51, 0)),
        ("4.52.1", (4, 52, 1)),
        ("v5.24.0", (5, 24, 0)),
        ("5.0.0rc1", (5, 0, 0)),
        ("4.43.0.dev0", (4, 43, 0)),
        ("4.52.1+cpu", (4, 52, 1)),  # a local version, as pip shows some builds
        ("4.51.3.post1", (4, 51, 3)),
        (" V4.51 ", (4, 51, 0)),
    ],
)
def test_parse_version(text: str, parsed: tuple[int, int, int]) -> None:
    assert parse_version(text) == parsed


@pytest.mark.parametrize("text", ["five", "4.x", "", "4.51-", "4.51.*"])
def test_parse_version_rejects(text: str) -> None:
    with pytest.raises(LrcliError, match="is not a version"):
        parse_version(text)


def test_a_bare_major_is_a_version_older_than_lrcli_models() -> None:
    with pytest.raises(LrcliError, match="lrcli models transformers 4.20.0"):
        rules_for("4")


def test_a_line_newer_than_lrcli_knows_is_used_with_a_note() -> None:
    rules, notes = rules_for("5.30")
    assert rules.ceil_updates_per_epoch and rules.warmup_rule == "5.15+"
    assert "newer than the newest line lrcli has checked" in notes[0]


@settings(max_examples=200, deadline=None)
@given(total=st.integers(1, 100_000), ratio=st.floats(0, 1))
def test_a_leftover_warmup_ratio_means_what_4x_made_of_it(total: int, ratio: float) -> None:
    """≥ 5.15 has no warmup_ratio; lrcli reads it as the ratio meant, i.e. as transformers 4.x did
    (whose reading the 4.52.4 golden rows pin), not as 5.0–5.14's `warmup_steps := ratio` (1.0 → 1 step)."""
    meant = plan(total_steps=total, warmup_ratio=ratio, transformers_version="4.52.4").warmup
    new = plan(total_steps=total, warmup_ratio=ratio, transformers_version="5.24")
    assert new.warmup == meant
    assert any("has no warmup_ratio" in note for note in new.notes)


def test_5_0_to_5_14_says_when_a_ratio_of_1_becomes_one_step() -> None:
    result = plan(total_steps=100, warmup_ratio=1.0, transformers_version="5.14")
    assert any("becomes warmup_steps 1.0" in note for note in result.notes)


def test_4x_says_when_warmup_steps_beats_warmup_ratio() -> None:
    result = plan(total_steps=100, warmup_ratio=0.1, warmup_steps=5, transformers_version="4.51.3")
    assert any("warmup_steps 5 overrides warmup_ratio 0.1" in note for note in result.notes)


def test_max_steps_zero_meant_epochs_before_4_49() -> None:
    """Up to 4.48 `max_steps=0` fell back to the epochs (frameworks.md §1.2); 4.49+ takes it as T = 0."""
    old = plan(
        dataset_size=100, per_device_train_batch_size=10, num_train_epochs=2, max_steps=0, transformers_version="4.48.3"
    )
    by_epochs = plan(
        dataset_size=100, per_device_train_batch_size=10, num_train_epochs=2, transformers_version="4.48.3"
    )
    assert old.total == by_epochs.total
    with pytest.raises(LrcliError, match="plans 0 optimizer steps"):
        plan(dataset_size=100, max_steps=0, transformers_version="4.49.0")


def test_loops_before_4_47_are_not_given_a_stop_epoch() -> None:
    """4.27–4.46 let accumulation windows cross epochs; lrcli does not model where those runs stop."""
    result = plan(
        dataset_size=40,
        per_device_train_batch_size=4,
        gradient_accumulation_steps=3,
        num_train_epochs=2,
        transformers_version="4.46.3",
    )
    assert result.final_epoch is None
    assert not any("training stops at epoch" in note for note in result.notes)


def test_a_run_shorter_than_an_epoch_gets_no_partial_window_note() -> None:
    result = plan(dataset_size=50_000, per_device_train_batch_size=4, gradient_accumulation_steps=8, max_steps=1000)
    assert not any("accumulation window" in note for note in result.notes)
    assert any("max_steps overrides epochs" in note for note in result.notes)
