"""`split="train[:10%]+test[100:2000]"`: how many rows `datasets.load_dataset` reads for a split spec.

Mirrors `datasets/arrow_reader.py` (`_SUB_SPEC_RE`, `_str_to_read_instruction`, `_rel_to_abs_instr`,
`_pct_to_abs_closest`, `_pct_to_abs_pct1`), which every framework here goes through when it hands a split string
to `load_dataset`:

- parts are joined by `+`; each is `name`, or `name[from:to]` with optional `%` on either bound and an optional
  `(closest)` / `(pct1_dropremainder)` rounding after a percent slice; the text before each `[` must be a bare
  split name (`NamedSplit`: so `train + test` is refused, `train[:5]+ test` too, `train[:5] +test` is not);
- `all` is every split, joined (`_build_single_dataset`);
- closest (the default): a bound b% of n rows is `int(round(b · n / 100))` (Python's round, half to even);
  pct1_dropremainder: `b · trunc(n / 100)`, refused below 100 rows;
- a negative bound counts from the end, `max(n + b, 0)`; both bounds are clipped to n; rows = max(to − from, 0),
  except to = from − 1, which reads from `from` to the end (`make_file_instructions`' take −1 means all);
- percent bounds beyond ±100 and rounding on an absolute slice are errors, as in `datasets`; so is a spec that
  reads no row at all ("corresponds to no data"), which the callers refuse (rows_read itself returns 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lrcli.errors import LrcliError

_SPLIT_NAME = r"\w+(?:\.\w+)*"  # datasets/naming.py _split_re
_PART = re.compile(
    rf"^(?P<split>{_SPLIT_NAME})"
    r"(?:\[(?:(?P<from>-?[\d_]+)(?P<from_pct>%)?)?:(?:(?P<to>-?[\d_]+)(?P<to_pct>%)?)?\])?"
    r"(?:\((?P<rounding>[^)]*)\))?$"
)
_PLUS = re.compile(r"\s*\+\s*")


@dataclass(frozen=True)
class SplitPart:
    """One `+`-joined part of a split spec: a split name and an optional slice."""

    split: str
    start: int | None = None
    stop: int | None = None
    percent: bool = False
    rounding: str | None = None  # "closest" or "pct1_dropremainder" for percent slices

    @property
    def sliced(self) -> bool:
        return self.start is not None or self.stop is not None


def parse_split(spec: str) -> tuple[SplitPart, ...]:
    """The parts of a split spec, or an LrcliError naming what `datasets` would refuse."""
    text = str(spec)
    for piece in text.split("+"):
        if not re.fullmatch(_SPLIT_NAME, piece.split("[")[0]):
            raise LrcliError(
                f"split {spec!r}: {piece.split('[')[0]!r} is not a split name `datasets` accepts (letters, digits, _ "
                "and dots; no spaces before a '+' or '[')"
            )
    parts = []
    for sub in _PLUS.split(text):
        match = _PART.match(sub)
        if not match:
            raise LrcliError(
                f"split {spec!r}: {sub!r} is not a split `datasets` can read (write e.g. train, train[:10%] "
                "or train[100:2000])"
            )
        percent = bool(match["from_pct"] or match["to_pct"])
        rounding = match["rounding"]
        if rounding is not None and rounding not in ("closest", "pct1_dropremainder"):
            raise LrcliError(f"split {spec!r}: rounding must be closest or pct1_dropremainder, got {rounding!r}")
        if rounding is not None and not percent:
            raise LrcliError(f"split {spec!r}: a rounding is only allowed on a percent slice")
        start = int(match["from"]) if match["from"] else None
        stop = int(match["to"]) if match["to"] else None
        if percent and any(b is not None and abs(b) > 100 for b in (start, stop)):
            raise LrcliError(f"split {spec!r}: percent slice boundaries must be within ±100")
        parts.append(SplitPart(match["split"], start, stop, percent, (rounding or "closest") if percent else None))
    first = parts[0]  # ReadInstruction.__add__ compares each added part with the first one only
    for part in parts[1:]:
        if first.percent and part.percent and first.rounding != part.rounding:
            raise LrcliError(f"split {spec!r}: the parts use different roundings, which `datasets` refuses")
    return tuple(parts)


def split_names(spec: str) -> tuple[str, ...]:
    """The split names a spec reads, in order, without repeats; () for `all` (every split there is)."""
    if reads_all(spec):
        return ()
    return tuple(dict.fromkeys(part.split for part in parse_split(spec)))


def _bound(value: int, rows: int, part: SplitPart) -> int:
    if not part.percent:
        return value
    if part.rounding == "pct1_dropremainder":
        if rows < 100:
            raise LrcliError(
                f"split {part.split}: pct1_dropremainder rounding on a split of {rows} rows (< 100) is refused by "
                "`datasets` (it always gives an empty dataset)"
            )
        return value * math.trunc(rows / 100.0)
    return int(round(value * rows / 100.0))


def part_rows(part: SplitPart, rows: int) -> int:
    """Rows one part reads from a split of `rows` rows (`_rel_to_abs_instr`)."""
    start = 0 if part.start is None else _bound(part.start, rows, part)
    stop = rows if part.stop is None else _bound(part.stop, rows, part)
    if start < 0:
        start = max(rows + start, 0)
    if stop < 0:
        stop = max(rows + stop, 0)
    start, stop = min(start, rows), min(stop, rows)
    if stop - start == -1:
        # `make_file_instructions` hands an unsharded split's file `take = to - from`, and
        # `ArrowReader._get_table_from_filename` reads `take == -1` as "to the end": `train[1:0]` is rows 1…n−1.
        # Any other negative take is a pyarrow slice of no rows. (A sharded split, one whose dataset_info has
        # shard_lengths, reads nothing here; lrcli counts the unsharded case, a split as one file.)
        return rows - start
    return max(stop - start, 0)


def reads_all(spec: str) -> bool:
    return str(spec) == "all"


def rows_read(spec: str, split_rows: Mapping[str, int]) -> int:
    """Rows `load_dataset(..., split=spec)` returns, given the row count of each split."""
    if reads_all(spec):
        return sum(split_rows.values())
    total = 0
    for part in parse_split(spec):
        if part.split not in split_rows:
            known = ", ".join(sorted(split_rows)) or "none"
            raise LrcliError(f"split {spec!r}: no split {part.split!r} (the dataset has: {known})")
        total += part_rows(part, split_rows[part.split])
    return total


def describe(spec: str, split_rows: Mapping[str, int]) -> str:
    """`train[:10%] of 51,760 rows = 5,176` — how a sliced spec was counted (empty for a plain split name)."""
    if reads_all(spec):
        return "all = " + " + ".join(f"{name} {rows:,}" for name, rows in split_rows.items())
    parts = parse_split(spec)
    if len(parts) == 1 and not parts[0].sliced:
        return ""
    pieces = [f"{part_text(p)} of {split_rows[p.split]:,} = {part_rows(p, split_rows[p.split]):,}" for p in parts]
    return "; ".join(pieces)


def part_text(part: SplitPart) -> str:
    if not part.sliced:
        return part.split
    unit = "%" if part.percent else ""
    start = "" if part.start is None else f"{part.start}{unit}"
    stop = "" if part.stop is None else f"{part.stop}{unit}"
    rounding = f"({part.rounding})" if part.rounding == "pct1_dropremainder" else ""
    return f"{part.split}[{start}:{stop}]{rounding}"
