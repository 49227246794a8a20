"""Where a curve's rows sit on a plot's x axis (`--x`): optimizer steps, epochs, samples or tokens.

Row s (the LR of update s+1) sits at s steps, s / U epochs (U optimizer updates per epoch, as the plan counted
them), s · S samples (S samples per optimizer update over all processes) or s · S · seq_len tokens. Every unit is a
fixed multiple of s, so the curve keeps its shape and runs of different lengths line up by what they consumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrcli.errors import LrcliError

if TYPE_CHECKING:
    from lrcli.curve import Curve

X_UNITS = {
    "steps": "optimizer steps (the default)",
    "epochs": "passes over the dataset: steps / updates per epoch",
    "samples": "samples consumed: steps × samples per update",
    "tokens": "tokens consumed: samples × --seq-len",
}


def check_unit(unit: str, seq_len: int | None) -> None:
    if unit not in X_UNITS:
        raise LrcliError(f"--x {unit!r} is not an x axis; use one of: {', '.join(X_UNITS)}")
    if unit == "tokens" and seq_len is None:
        raise LrcliError("--x tokens needs the tokens per sample: add --seq-len TOKENS (e.g. --seq-len 2048)")
    if seq_len is not None and seq_len < 1:
        raise LrcliError(f"--seq-len {seq_len}: give the tokens per sample, a whole number ≥ 1")


def per_step(curve: Curve, unit: str, seq_len: int | None) -> float:
    """How far one optimizer step moves along the x axis, in `unit`."""
    check_unit(unit, seq_len)
    plan = curve.plan
    if unit == "steps":
        return 1.0
    if unit == "epochs":
        if plan.update_steps_per_epoch is None:
            raise LrcliError(
                f"--x epochs: the plan of {curve.label} has no count of updates per epoch (T = {plan.total} was "
                "given, not counted from a dataset size); give the run as --samples/--batch/… or use --x steps"
            )
        return 1.0 / plan.update_steps_per_epoch
    if plan.samples_per_update is None:
        raise LrcliError(
            f"--x {unit}: the plan of {curve.label} does not say how many samples one optimizer update takes (T was "
            "given, or the framework counts something else per step, as GRPO's generations); use --x steps or "
            "--x epochs"
        )
    samples = float(plan.samples_per_update)
    return samples if unit == "samples" else samples * (seq_len or 0)


def epoch_length(curve: Curve, unit: str, seq_len: int | None) -> float | None:
    """One epoch along the x axis in `unit`, or None when the plan does not count epochs."""
    per_epoch = curve.plan.update_steps_per_epoch
    return None if per_epoch is None else per_epoch * per_step(curve, unit, seq_len)


def epoch_count(curve: Curve) -> int:
    """Epochs the run enters (1 when the plan does not count them): ceil(T / U)."""
    per_epoch = curve.plan.update_steps_per_epoch
    return 1 if per_epoch is None else -(-curve.plan.total // per_epoch)


def axis_label(unit: str, seq_len: int | None, curves: Sequence[Curve]) -> str:
    if unit == "steps":
        return "optimizer step s (the LR of update s+1)"  # true whether the scheduler steps per update or per epoch
    if unit == "epochs":
        per_epoch = ", ".join(str(u) for u in dict.fromkeys(c.plan.update_steps_per_epoch for c in curves))
        return f"epoch (optimizer step / updates per epoch: {per_epoch})"
    per_update = ", ".join(str(b) for b in dict.fromkeys(c.plan.samples_per_update for c in curves))
    if unit == "samples":
        return f"samples (optimizer step × samples per update: {per_update})"
    return f"tokens (optimizer step × samples per update: {per_update} × {seq_len} tokens per sample)"
