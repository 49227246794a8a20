"""axolotl 0.19 / 0.20 / 0.21: the release pin (`--trainer @0.20`, the installed axolotl's metadata, the newest), and
what differs between the lines, each read from that release's own code (tools/framework_sources.py fetches it):
the transformers pin, a dataset's `weight` (0.20+), FSDP1's removal (0.20), shards_idx's default of 0."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import assert_one_error_line, framework_source, run_json

SOURCES = {"0.19": "axolotl", "0.20": "axolotl-0.20", "0.21": "axolotl-0.21"}


def _config(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "data.jsonl").write_text("".join(f'{{"text": "row {i}"}}\n' for i in range(1000)))
    path = tmp_path / "axolotl.yml"
    path.write_text(f"base_model: m\nlearning_rate: 1.0e-4\nmicro_batch_size: 2\nnum_epochs: 1\n"
                    f"datasets:\n  - path: {tmp_path / 'data.jsonl'}\n    type: completion\n{extra}")
    return path


def _steps(cli, path: Path, *args: str) -> dict:
    result = cli("steps", str(path), "--json", *args)
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)


def test_newest_is_0_21_and_a_pin_chooses_the_line(cli, tmp_path: Path) -> None:
    path = _config(tmp_path)
    found = _steps(cli, path)
    assert found["settings"]["framework_version"]["value"] == "0.21.0"
    pinned = _steps(cli, path, "--trainer", "@0.19")
    assert pinned["settings"]["framework_version"]["value"] == "0.19"
    assert pinned["settings"]["framework_version"]["source"] == "--trainer @0.19"


@pytest.mark.oracle
@pytest.mark.parametrize("line", sorted(SOURCES))
def test_weight_cuts_rows_only_where_that_release_does(cli, tmp_path: Path, line: str) -> None:
    """0.20+ `_load_and_process_single_dataset`: min(rows, max(1, int(rows · weight))); 0.19 has no weight."""
    source = (framework_source(SOURCES[line]) / "utils" / "data" / "sft.py").read_text()
    applies = "dataset_config.weight" in source
    assert applies == (line != "0.19")
    found = _steps(cli, _config(tmp_path, "    weight: 0.35\n"), "--trainer", f"axolotl@{line}")
    assert found["settings"]["dataset_size"]["value"] == (min(1000, max(1, int(1000 * 0.35))) if applies else 1000)


def test_shards_without_shards_idx_keep_shard_0(cli, tmp_path: Path) -> None:
    """sft.py: `dataset_config.get("shards_idx", 0)` on the config dumped with exclude_none (all three lines)."""
    source = (framework_source("axolotl-0.21") / "utils" / "data" / "sft.py").read_text()
    assert 'dataset_config.get("shards_idx", 0)' in source
    found = _steps(cli, _config(tmp_path, "    shards: 3\n"))
    assert found["settings"]["dataset_size"]["value"] == 334  # datasets' shard 0 of 3 of 1,000 rows (contiguous)


@pytest.mark.parametrize(("extra", "refused"), [("fsdp: [full_shard]\n", True), ("fsdp_version: 1\nfsdp_config: {}\n", True),
                                                ("fsdp_version: 2\nfsdp_config: {fsdp_sharding_strategy: FULL_SHARD}\n", True),
                                                ("fsdp_version: 2\nfsdp_config: {reshard_after_forward: true}\n", False)])
def test_fsdp1_is_refused_from_0_20(cli, tmp_path: Path, extra: str, refused: bool) -> None:
    """0.20.0's check_fsdp_version raises already (0.19's only warns); tests/data/axolotl_rules_golden_<V>.json runs
    each release's own validator on more cases."""
    for line in ("0.20", "0.21"):
        source = (framework_source(SOURCES[line]) / "utils" / "schemas" / "validation.py").read_text()
        check = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == "check_fsdp_version")
        assert "no longer supported" in ast.unparse(check)
    path = _config(tmp_path, extra)
    if refused:
        assert "FSDP1 was removed in 0.20" in assert_one_error_line(cli("steps", str(path)))
        assert "FSDP1 was removed in 0.20" in assert_one_error_line(cli("steps", str(path), "--trainer", "@0.20"))
        _steps(cli, path, "--trainer", "@0.19")
    else:
        _steps(cli, path)


def test_an_axolotl_pin_names_no_other_trainer(cli, tmp_path: Path) -> None:
    assert "axolotl has one trainer" in assert_one_error_line(cli("steps", str(_config(tmp_path)), "--trainer", "sft"))
