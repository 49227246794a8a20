"""N from the data a config names, before planning: count each dataset (lrcli.data: local files, the Hugging Face
caches, lrcli's answer cache, the Hub), then apply the framework's row rule (lrcli.steps.ROW_RULES, pure) to get the
dataset_size its planner takes, with a source that says where N came from.

This is the one place that does I/O for N. Nothing is counted when the user gave --samples or --total-steps. When
a dataset cannot be counted, nothing fails here: `datasets_missing` keeps the one-line reason (what was tried), and
a planner that needs N raises it with its "add --samples N"; a planner that does not (max_steps) never shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrcli.config import Layer, Source
from lrcli.errors import LrcliError
from lrcli.steps import ROW_RULES

if TYPE_CHECKING:
    from lrcli.data.local import ProgressFactory
    from lrcli.data.refs import CountedDataset, DataSpec


@dataclass(frozen=True)
class DataCounting:
    """How to count: offline (no network: `--offline`), and the progress bar the CLI draws for slow counting."""

    offline: bool = False
    progress: ProgressFactory | None = None


def _n_text(n: int, counted: list[CountedDataset], how: str, where: str) -> str:
    if len(counted) == 1 and counted[0].count.rows == n:
        return counted[0].count.text
    parts = getattr(n, "parts", None)
    shown = "+".join(f"{p:,}" for p in parts) if parts else f"{n:,}"
    plural = "s" if len(counted) > 1 else ""
    return f"{shown} rows from {len(counted)} dataset{plural} in {where} ({how}; `lrcli show` lists them)"


def data_layers(spec: DataSpec | None, counting: DataCounting) -> tuple[list[Layer], tuple[str, ...]]:
    """Layers that set dataset_size (with its source), the counted datasets and the row-rule stages; or, when
    something cannot be counted, datasets_missing. Also the warnings of the counting and the row rule."""
    if spec is None:
        return [], ()
    missing_source = Source.derived(f"{spec.where}: N not found")
    if spec.problem is not None:
        return [Layer({"datasets_missing": spec.problem}, missing_source)], ()
    if not spec.entries:
        return [], ()
    from lrcli.data.find import Sources, count_rows  # the data layer: only for a config that names data
    from lrcli.data.refs import CountedDataset

    sources = Sources(offline=counting.offline, progress=counting.progress)
    counted: list[CountedDataset] = []
    for entry in spec.entries:
        try:
            counted.append(CountedDataset(entry, count_rows(entry.ref, sources)))
        except LrcliError as exc:  # RowsNotFound, or local data that cannot be read: reported if N is needed
            return [Layer({"datasets_missing": str(exc)}, missing_source)], ()
    empty = next((c for c in counted if c.count.rows == 0), None)
    if empty is not None:
        reason = f"{empty.count.ref.label} reads no rows ({empty.count.source}); `datasets` refuses an empty split"
        return [Layer({"datasets_missing": reason}, missing_source)], ()
    rows = ROW_RULES[spec.rule](counted, {**spec.options, "where": spec.where})
    notes = tuple(note for c in counted for note in c.count.notes) + spec.notes + rows.notes
    text = _n_text(rows.n, counted, rows.how, spec.where)
    layer = Layer({"dataset_size": rows.n, "datasets": tuple(counted), "dataset_stages": rows.stages},
                  Source.derived(f"N = {text}"))
    return [layer], notes
