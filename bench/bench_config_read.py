"""Reading configs through the bounded reader (issue 11): a 10 MB config is refused, the worst config it accepts
is read in well under 2 s; prints times and ratios against PyYAML measured in the same run, asserts nothing.

    .venv/bin/python bench/bench_config_read.py            # add --full to time PyYAML on the whole 10 MB too

1. A 10 MB YAML config (390,000 keys, the issue's 7.8 MB case grown) and a 10 MB JSON one: lrcli's refusal,
   against `yaml.safe_load` of one tenth of it (PyYAML's pure-Python loader, what lrcli used before).
2. The heaviest YAML the caps let through (just under YAML_ITEMS one-character values, 1 MiB cap): lrcli
   (CSafeLoader + the node-graph walk) against `yaml.safe_load` and against `yaml.load(CSafeLoader)` alone, so the
   cost of the caps themselves shows as a ratio.
3. Every real config under tests/data/real_configs: the slowest one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from bench_schedules import _best  # this folder is on sys.path when run as a script

from lrcli.errors import LrcliError
from lrcli.inputs.bounded import CONFIG_BYTES, YAML_ITEMS, parse_yaml
from lrcli.inputs.files import load_mapping

ROOT = Path(__file__).resolve().parents[1]


def _refused(path: Path) -> float:
    def attempt() -> None:
        try:
            load_mapping(path)
        except LrcliError:
            return
        raise SystemExit(f"{path} was not refused")

    return _best(attempt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time yaml.safe_load on the whole 10 MB (~1 min)")
    args = parser.parse_args()
    scratch = Path(sys.argv[0]).resolve().parent / ".bench_config_read"
    scratch.mkdir(exist_ok=True)
    try:
        big_yaml = scratch / "big.yaml"
        big_yaml.write_text("learning_rate: 1.0e-4\n" + "".join(f"unused_key_{i:06d}: {i}\n" for i in range(390_000)))
        big_json = scratch / "big.json"
        big_json.write_text(json.dumps({"learning_rate": 1e-4, **{f"k{i:07d}": i for i in range(560_000)}}))
        tenth = big_yaml.read_text()[: big_yaml.stat().st_size // 10]
        tenth = tenth[: tenth.rfind("\n") + 1]
        pure_tenth = _best(lambda: yaml.safe_load(tenth), repeat=1)
        for path in (big_yaml, big_json):
            refused = _refused(path)
            print(f"{path.name} ({path.stat().st_size / 1e6:.1f} MB): refused in {refused * 1e3:.2f} ms; "
                  f"yaml.safe_load of a tenth of the YAML takes {pure_tenth:.2f} s ({pure_tenth / refused:,.0f}x)")
        if args.full:
            whole = _best(lambda: yaml.safe_load(big_yaml.read_text()), repeat=1)
            print(f"yaml.safe_load of the whole {big_yaml.stat().st_size / 1e6:.1f} MB: {whole:.1f} s")

        items = YAML_ITEMS - 10
        heaviest = "learning_rate: 1.0e-4\nx: [" + "1," * items + "1]\n"
        assert len(heaviest.encode()) <= CONFIG_BYTES
        lrcli = _best(lambda: parse_yaml(heaviest, "heaviest.yaml"))
        pure = _best(lambda: yaml.safe_load(heaviest), repeat=1)
        c_only = _best(lambda: yaml.load(heaviest, Loader=yaml.CSafeLoader))
        print(f"heaviest accepted YAML ({len(heaviest) / 1e3:.0f} KB, {items:,} values): lrcli {lrcli:.3f} s; "
              f"yaml.safe_load {pure:.3f} s ({pure / lrcli:.1f}x slower); CSafeLoader alone {c_only:.3f} s "
              f"(the caps cost {lrcli / c_only - 1:+.0%})")

        configs = sorted(p for p in (ROOT / "tests/data/real_configs").glob("*/*") if p.suffix in (".yaml", ".yml", ".json"))
        slowest = max((_best(lambda p=p: load_mapping(p)), p.name) for p in configs)
        print(f"real configs: {len(configs)}, the slowest ({slowest[1]}) read in {slowest[0] * 1e3:.2f} ms")
    finally:
        for path in scratch.iterdir():
            path.unlink()
        scratch.rmdir()


if __name__ == "__main__":
    main()
