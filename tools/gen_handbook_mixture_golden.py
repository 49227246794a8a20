"""Golden training-row counts of alignment-handbook `dataset_mixture`s, from the handbook's own code ->
tests/data/handbook_mixture_golden.json.

The handbook's current `get_dataset` (weights, test_split_size) and `ScriptArguments.__post_init__` (the mixture's
parsing and weight default) are not on PyPI (its last release, 0.3.0, predates `dataset_mixture`), so the tests
cannot fetch them: this script runs them, lifted out of a checkout of huggingface/alignment-handbook with
tools/framework_code.py `extract`, on real `datasets` objects (each dataset's split a local JSON Lines file of the
drawn length, read by the real `datasets.load_dataset`, so split slicing, shuffles, selects, concatenation and
train_test_split are `datasets`' own), and records the train rows (or the error) of each random case. open-r1's
`get_dataset` (src/open_r1/utils/data.py @ 1416fa0) is the same function.

    git clone https://github.com/huggingface/alignment-handbook /tmp/handbook   # any checkout of it
    .venv/bin/python tools/gen_handbook_mixture_golden.py /tmp/handbook
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_code import extract  # noqa: E402

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "handbook_mixture_golden.json"
WEIGHTS = [None, 0.02, 0.25, 0.3, 0.4, 0.5, 1, 1.0, 0.999]
TEST_SPLITS = [None, 0.1, 0.25, 1, 5]
OTHER_SPLIT_ROWS = 3  # each dataset also has a split "other", which a mixture never reads


def handbook_functions(root: Path) -> tuple[dict[str, Any], Any, Any]:
    """The handbook's DatasetConfig / DatasetMixtureConfig, ScriptArguments.__post_init__ and get_dataset, as written."""
    import datasets

    configs, data = root / "src" / "alignment" / "configs.py", root / "src" / "alignment" / "data.py"
    ns: dict[str, Any] = {"dataclass": dataclass, "field": field, "Optional": Optional, "Any": Any,
                          "logger": SimpleNamespace(info=lambda *a: None), "DatasetDict": datasets.DatasetDict,
                          "concatenate_datasets": datasets.concatenate_datasets}
    for name in ("DatasetConfig", "DatasetMixtureConfig"):
        ns[name] = dataclass(extract(configs, name, ns))
    post_init = extract(configs, "__post_init__", ns, "ScriptArguments")
    return ns, post_init, extract(data, "get_dataset", ns)


def random_cases(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        sizes = [rng.randint(1, 60) for _ in range(rng.randint(1, 3))]
        cases.append({
            "sizes": sizes,
            "weights": [rng.choice(WEIGHTS) for _ in sizes],
            "test_split_size": rng.choice(TEST_SPLITS),
            "split": rng.choice(["train", "train[:50%]", "train[3:]"]),
        })
    return cases


def run_case(case: dict[str, Any], functions: tuple[dict[str, Any], Any, Any], work: Path) -> dict[str, Any]:
    import datasets

    ns, post_init, get_dataset = functions
    files = {}
    for i, n in enumerate(case["sizes"]):
        for split, rows in (("train", n), ("other", OTHER_SPLIT_ROWS)):
            path = work / f"d{i}-{split}-{n}.jsonl"
            path.write_text("".join(json.dumps({"i": r}) + "\n" for r in range(rows)))
            files[(f"org/d{i}", split)] = str(path)

    def load_dataset(path: str, name: str | None = None, *, split: str) -> Any:
        data_files = {s: files[(path, s)] for s in ("train", "other")}
        return datasets.load_dataset("json", data_files=data_files, split=split, cache_dir=str(work / "cache"))

    ns["datasets"] = SimpleNamespace(load_dataset=load_dataset)
    items = [{"id": f"org/d{i}", "config": "default", "split": case["split"], **({"weight": w} if w is not None else {})}
             for i, w in enumerate(case["weights"])]
    mixture = {"datasets": items, "seed": 0}
    if case["test_split_size"] is not None:
        mixture["test_split_size"] = case["test_split_size"]
    args = SimpleNamespace(dataset_name=None, dataset_config=None, dataset_mixture=mixture)
    try:
        post_init(args)
        return {**case, "train_rows": len(get_dataset(args)["train"])}
    except (ValueError, IndexError) as exc:
        return {**case, "raises": type(exc).__name__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("handbook", type=Path, help="a checkout of huggingface/alignment-handbook")
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--commit", help="the checkout's commit, when it is not a git clone of the repository")
    opts = parser.parse_args()
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    commit = subprocess.run(["git", "-C", str(opts.handbook), "rev-parse", "HEAD"], capture_output=True, text=True)
    revision = opts.commit or commit.stdout.strip() or "unknown"
    functions = handbook_functions(opts.handbook)
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_case(case, functions, Path(tmp)) for case in random_cases(opts.cases, seed=10)]
    document = {
        "generator": "tools/gen_handbook_mixture_golden.py",
        "alignment_handbook_commit": revision,
        "datasets": datasets.__version__,
        "other_split_rows": OTHER_SPLIT_ROWS,
        "cases": results,
    }
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {OUTPUT}: {len(results)} cases, {sum('raises' in r for r in results)} raising")


if __name__ == "__main__":
    main()
