"""Counting a dataset's rows: lrcli against baselines measured in the same run; prints ratios, asserts nothing.

    python bench/bench_count.py              # a 512 MB JSON Lines file in a temporary directory (SIZE_MB to change)

1. JSON Lines: lrcli's count (newlines per 8 MiB block, no JSON parsed) vs `json.loads` of every line (what a
   naive counter, or a loader, does), and vs the raw read speed of the same file (the disk/page-cache ceiling).
2. Parquet: lrcli's footer read (no pyarrow) vs pyarrow's `ParquetFile(...).metadata.num_rows`, when pyarrow is
   installed.
The file is read once before timing, so every contender reads it from the page cache: the ratios compare the CPU
cost of counting, which is what lrcli controls.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from pathlib import Path

from lrcli.data.count_files import count_file

SIZE_MB = int(os.environ.get("SIZE_MB", "512"))


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def make_jsonl(path: Path, size_mb: int) -> int:
    line = json.dumps({"instruction": "Explain the cosine schedule " * 4, "input": "",
                       "output": "It decays the learning rate along half a cosine. " * 8}) + "\n"
    rows = size_mb * (1 << 20) // len(line)
    with path.open("w") as handle:
        block = line * 1000
        for _ in range(rows // 1000):
            handle.write(block)
        handle.write(line * (rows % 1000))
    return rows


def read_only(path: Path) -> int:
    total = 0
    with path.open("rb") as handle:
        while block := handle.read(8 << 20):
            total += len(block)
    return total


def json_loads_per_line(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip() and json.loads(line) is not None)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.jsonl"
        rows = make_jsonl(path, SIZE_MB)
        megabytes = path.stat().st_size / (1 << 20)
        read_only(path)  # warm the page cache
        t_read, _ = _best(lambda: read_only(path))
        t_lrcli, counted = _best(lambda: count_file(path))
        t_json, parsed = _best(lambda: json_loads_per_line(path), repeat=1)
        assert counted == parsed == rows, (counted, parsed, rows)
        print(f"JSON Lines, {megabytes:.0f} MB, {rows:,} rows")
        print(f"  read only            {megabytes / t_read:8.0f} MB/s")
        print(f"  lrcli count_file     {megabytes / t_lrcli:8.0f} MB/s  ({t_read / t_lrcli:.2f}× the read-only speed)")
        print(f"  json.loads per line  {megabytes / t_json:8.0f} MB/s  (lrcli is {t_json / t_lrcli:.1f}× faster)")
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            print("Parquet: pyarrow not installed, comparison skipped")
            return
        parquet = Path(tmp) / "data.parquet"
        pq.write_table(pa.table({"i": list(range(2_000_000))}), parquet, row_group_size=10_000)
        t_footer, n1 = _best(lambda: count_file(parquet), repeat=20)
        t_arrow, n2 = _best(lambda: pq.ParquetFile(parquet).metadata.num_rows, repeat=20)
        assert n1 == n2
        print(f"Parquet footer, {n1:,} rows in 200 row groups: lrcli {t_footer * 1e3:.2f} ms, pyarrow "
              f"{t_arrow * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
