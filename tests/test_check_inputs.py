"""What `lrcli check` stands on: key positions from the bounded reader (YAML nodes, the JSON scanner), the search
of directories, the 30 real configs, and the two bugs found on the way (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DATA, framework_sdist
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.inputs.bounded import load_located

REAL = DATA / "real_configs"


def test_yaml_positions_of_nested_keys_and_list_items(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\nb:\n  c: 2\n  d:\n    - e: 3\n    - {f: 4}\nanchor: &x {g: 5}\nalias: *x\n")
    located = load_located(path, "a.yaml")
    assert located.value["b"]["d"][1] == {"f": 4}
    positions = located.positions
    assert positions[("a",)] == (1, 1) and positions[("b", "c")] == (3, 3)
    assert positions[("b", "d", 0, "e")] == (5, 7) and positions[("b", "d", 1, "f")] == (6, 8)
    assert positions[("anchor", "g")] == (7, 13)


def test_json_positions_skip_strings_and_escapes(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"x": "a \\" { [ ,", "list": [1, {"k": 2}, [3, {"m": 4}]],\n\t"n": {"o\\u00e9": null}}')
    positions = load_located(path, "a.json").positions
    assert positions[("x",)] == (1, 2)
    assert positions[("list", 1, "k")] == (1, 34)
    assert positions[("list", 2, 1, "m")] == (1, 48)
    assert positions[("n", "oé")] == (2, 8)


@settings(max_examples=40, deadline=None)
@given(st.recursive(st.none() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=12))
def test_json_scanner_finds_every_key_where_it_is(tmp_path_factory, value):
    """Every key of any JSON document, at a position where the text holds that key's JSON string."""
    document = {"root": value}
    text = json.dumps(document, indent=1)
    path = tmp_path_factory.mktemp("j") / "d.json"
    path.write_text(text)
    positions = load_located(path, "d.json").positions
    lines = text.split("\n")

    def walk(node, where):
        if isinstance(node, dict):
            for key, child in node.items():
                line, column = positions[(*where, key)]
                assert lines[line - 1][column - 1:].startswith(json.dumps(key)), (where, key)
                walk(child, (*where, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*where, index))

    walk(document, ())


def test_real_configs_checked_in_one_run(cli):
    """The 30 real configs (and the 2 launcher configs beside them, skipped): what check finds offline, as written
    down in the issue note; every finding is one lrcli defends (see the report)."""
    result = cli("check", str(REAL), "--format", "json")
    document = json.loads(result.stdout)
    configs = [p for p in REAL.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.parent.name != "accelerate"]
    assert document["checked"] == len(configs) == 31, result.stderr  # 30 + Megatron's --yaml-cfg example
    by_code: dict[str, set[str]] = {}
    for finding in document["findings"]:
        by_code.setdefault(finding["code"], set()).add(Path(finding["path"]).name)
    assert by_code["LR401"] == {p.name for p in (REAL / "trl").glob("*.yaml")} - {
        "alignment-handbook_zephyr-141b_orpo_full.yaml", "trl_cli_example_config.yaml"}
    # fails as configured under the newest releases: TRL 1.16 has no torch_dtype (the ORPO recipe: the others stop on
    # warmup_ratio first, LR401); axolotl 0.20+ refuses the fp8-fsdp2 example's FSDP1 sharding_strategy (so its
    # LR105, cosine_min_lr_ratio 1.0, shows only under --trainer @0.19)
    assert by_code["LR000"] == {"alignment-handbook_zephyr-141b_orpo_full.yaml", "llama-3_3b-fp8-fsdp2_cosine-min-lr.yaml"}
    assert not {"LR001", "LR002"} & set(by_code)
    fp8 = REAL / "axolotl" / "llama-3_3b-fp8-fsdp2_cosine-min-lr.yaml"
    assert "LR105" in cli("check", str(fp8), "--trainer", "@0.19", "--format", "json").stdout
    assert result.exit_code == 1  # the LR401 errors


def test_steps_table_of_a_llamafactory_v1_config_with_its_data(cli, monkeypatch):
    """Regression: the v1 N source has no `: ` to split at; summary_table raised IndexError."""
    monkeypatch.chdir(framework_sdist("llamafactory"))
    result = cli("steps", str(REAL / "llamafactory" / "v1_train_lora_sft.yaml"), "--max-steps", "-1")
    assert result.exit_code == 0, result.stderr
    assert "samples N" in result.stdout and "591" in result.stdout
