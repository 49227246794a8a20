"""Target: one config as the rules see it — the document and where its keys sit, the settings resolved from it,
and what lrcli computed from them (T and W, the curve's peak, final LR and first rows, the scheduler kwargs), or
why it could not.

`assess` computes those pieces; each failure is kept as data (`errors`) rather than raised, so that every rule
that does not need the missing piece still runs. Files are read only through `inputs` (the bounded reader).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lrcli.config import TrainConfig
from lrcli.curve import Curve, compute
from lrcli.curve_facts import CurveFacts, of_curve, scalar_facts
from lrcli.errors import LrcliError
from lrcli.inputs.bounded import KeyPath, Located, load_located
from lrcli.inputs.files import find_referenced_file
from lrcli.schedules import get_schedule
from lrcli.steps import StepPlan, plan_steps, scheduler_kwargs
from lrcli.steps.hf_versions import lacking_keys, rules_for

DEEPSPEED = "@deepspeed"  # first element of a key path that points into the DeepSpeed file a config names


@dataclass(frozen=True)
class Target:
    """One config, checked. `errors` maps a stage (`settings`, `plan`, `curve`, `deepspeed`, `deepspeed_values`) to
    the one-line reason it failed, the matching field then None; `launcher`: the file is a launcher config."""

    path: str
    raw: Mapping[str, Any]
    positions: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    config: TrainConfig | None = None
    plan: StepPlan | None = None
    facts: CurveFacts | None = None  # the curve's values the rules look at (lrcli/curve_facts.py)
    kwargs: Mapping[str, Any] | None = None  # what the scheduler is built with ("auto" filled)
    lacking: Mapping[str, str] = field(default_factory=dict)  # version-bound keys the transformers in force lacks
    deepspeed_path: str | None = None
    deepspeed_raw: Mapping[str, Any] | None = None
    deepspeed_positions: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    @property
    def dialect(self) -> str | None:
        return None if self.config is None else self.config.dialect

    def where(self, key: KeyPath | None) -> tuple[str, int, int]:
        """The file, line and column of `key` (a key path of the config, or of its DeepSpeed file when it starts
        with DEEPSPEED); line 0 when the key is not written in a file (a default, a flag, the run as a whole). A
        key that is missing falls back to its nearest written parent."""
        if key and key[0] == DEEPSPEED and self.deepspeed_path is not None:
            path, positions, key = self.deepspeed_path, self.deepspeed_positions, key[1:]
        else:
            path, positions = self.path, self.positions
        while key:
            if key in positions:
                return (path, *positions[key])
            key = key[:-1]
        return path, 0, 0

    def value(self, *key: str | int) -> Any:
        """The document's value at `key` (None when absent); a key starting with DEEPSPEED reads the DeepSpeed file."""
        node: Any = self.raw
        if key and key[0] == DEEPSPEED:
            node, key = self.deepspeed_raw, key[1:]
        for part in key:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node


# A curve whose schedule has no scalar twin (torch's chained classes, a schedule with too many turns) is evaluated
# with numpy for the rules that look at its values (a peak of 0, a floor at the peak) only up to this T: torch's
# chainable schedulers are replayed step by step, and a repository of long runs must still check in seconds.
CURVE_STEPS = 200_000


def assess(
    path: str, located: Located, config: TrainConfig | None, *, settings_error: str | None = None,
    curve: Curve | None = None, evaluate: bool = True, launcher: bool = False,
) -> Target:
    """The Target of config `path` (already read and resolved by the caller, or `settings_error` saying why it
    could not be resolved): T and W, the curve and scheduler kwargs, the DeepSpeed file it names; every failure
    kept as data. `evaluate`: find the curve's facts when no curve is given — from the schedule's scalar twin at
    any T, without numpy, else by evaluating it (at most CURVE_STEPS steps); `launcher`: the file
    is an accelerate launcher config, not checked on its own."""
    raw = located.value if isinstance(located.value, Mapping) else {}
    target = Target(path, raw, located.positions, config=config)
    errors: dict[str, str] = {}
    if settings_error is not None:
        errors["settings"] = settings_error
    if launcher:
        errors["launcher"] = "an accelerate launcher config"
    target = replace(target, **_deepspeed_file(raw, Path(path), located.positions, errors))
    if config is None:
        return replace(target, errors=errors)
    lacking: dict[str, str] = {}
    try:
        lacking = lacking_keys(rules_for(config.transformers_version)[0], config.version_bound_keys)
    except LrcliError:
        pass
    plan = curve.plan if curve is not None else None
    if plan is None:
        try:
            plan = plan_steps(config)
        except LrcliError as exc:
            errors["plan"] = str(exc)
            if lacking:  # plan as if the version had the key, so that the rules that need T still run
                try:
                    plan = plan_steps(replace(config, version_bound_keys=()))
                except LrcliError:
                    plan = None
    kwargs = None
    if plan is not None:
        try:
            kwargs = scheduler_kwargs(config, plan).values
        except LrcliError as exc:
            errors["deepspeed_values"] = str(exc)
            kwargs = dict(config.lr_scheduler_kwargs)
    facts = None if curve is None else of_curve(curve)
    if facts is None and plan is not None and "plan" not in errors and evaluate and not _waits_for_metrics(config):
        try:
            facts = scalar_facts(config)
            if facts is None and plan.total <= CURVE_STEPS:
                facts = of_curve(compute(config))
        except LrcliError as exc:
            errors["curve"] = str(exc)
    return replace(target, plan=plan, facts=facts, kwargs=kwargs, lacking=lacking, errors=errors)


def _waits_for_metrics(config: TrainConfig) -> bool:
    """A metric-driven schedule (ReduceLROnPlateau, greedy) has no curve before the run's evaluations exist: that is
    not a mistake of the config, so no curve is computed (and none reported missing)."""
    try:
        return get_schedule(config.lr_scheduler_type).needs_metrics and config.metrics_path is None
    except LrcliError:
        return False


def _deepspeed_file(
    raw: Mapping[str, Any], path: Path, positions: Mapping[KeyPath, tuple[int, int]], errors: dict[str, str]
) -> dict[str, Any]:
    """The DeepSpeed file an HF-family config names (`deepspeed: ds.json`), read with its key positions; a config
    that is itself a DeepSpeed file is its own."""
    value = raw.get("deepspeed")
    if isinstance(value, Mapping):
        inline = {key[1:]: at for key, at in positions.items() if key[:1] == ("deepspeed",)}
        return {"deepspeed_path": str(path), "deepspeed_raw": value, "deepspeed_positions": inline}
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        found, _ = find_referenced_file(value, path, "deepspeed", "the DeepSpeed JSON file")
        if found is None:
            return {}
        located = load_located(found, f"{path.name} key deepspeed {found}")
    except LrcliError as exc:
        errors["deepspeed"] = str(exc)
        return {}
    if not isinstance(located.value, Mapping):
        return {}
    return {"deepspeed_path": str(found), "deepspeed_raw": located.value, "deepspeed_positions": located.positions}
