"""`lrcli check` (issue 13): every rule's bad config from docs/rules.md fails with its code and line, its good twin
passes; the output formats, --ignore/--strict, directories, and what plot/steps print."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from lrcli.lint import RULES

ROOT = Path(__file__).resolve().parents[1]
RULES_DOC = ROOT / "docs" / "rules.md"
BLOCK = re.compile(r"^```(yaml|json) (bad|good|file=\S+)([^\n]*)\n(.*?)^```", re.S | re.M)


def _examples() -> dict[str, dict]:
    """docs/rules.md as {code: {"level", "files": {name: text}, "bad": (suffix, text, args), "good": …}}."""
    text = RULES_DOC.read_text()
    sections = re.split(r"^## (LR\d{3})\n", text, flags=re.M)
    found = {}
    for code, body in zip(sections[1::2], sections[2::2], strict=True):
        level = re.search(r"\*\*(error|warning|info)\*\*", body).group(1)
        entry: dict = {"level": level, "files": {}}
        for lang, kind, args, content in BLOCK.findall(body):
            if kind.startswith("file="):
                entry["files"][kind.removeprefix("file=")] = content
            else:
                entry[kind] = (lang, content, shlex.split(args))
        found[code] = entry
    return found


EXAMPLES = _examples()


def test_rules_doc_lists_every_rule_once():
    assert sorted(EXAMPLES) == sorted(RULES)
    assert all("bad" in e and "good" in e for e in EXAMPLES.values())


def _check(cli, tmp_path, code: str, kind: str):
    """Run the example as written, from the folder that holds it and the files it names."""
    example = EXAMPLES[code]
    for name, content in example["files"].items():
        (tmp_path / name).write_text(content)
    lang, content, args = example[kind]
    config = tmp_path / f"{kind}.{lang}"
    config.write_text(content)
    result = cli("check", str(config), "--format", "json", "--strict", *args)
    return result, json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_bad_example_fails_with_its_code_and_line(cli, tmp_path, monkeypatch, code):
    monkeypatch.chdir(tmp_path)
    result, findings = _check(cli, tmp_path, code, "bad")
    mine = [f for f in findings if f["code"] == code]
    assert mine, (code, findings, result.stderr)
    assert mine[0]["level"] == EXAMPLES[code]["level"]
    # --strict: an error or a warning fails the check (exit 1); info never does
    assert result.exit_code == (0 if all(f["level"] == "info" for f in findings) else 1), result.stderr
    if EXAMPLES[code]["level"] != "info":
        assert result.exit_code == 1
    whole_run = {"LR000", "LR003", "LR010", "LR011", "LR603"}  # findings about the run, not one key
    if code not in whole_run:
        assert mine[0]["line"] and mine[0]["line"] >= 1, mine


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_good_twin_passes(cli, tmp_path, monkeypatch, code):
    monkeypatch.chdir(tmp_path)
    result, findings = _check(cli, tmp_path, code, "good")
    assert not [f for f in findings if f["code"] == code], findings
    assert result.exit_code == 0, (findings, result.stderr)
    assert all(f["level"] == "info" for f in findings), findings


def test_line_and_column_point_at_the_key(cli, tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nmax_steps: 100\nlr_scheduler_type: cosine\nlr_scheduler_kwargs:\n"
                      "  eta_min: 1.0e-6\nwarmup_steps: 200\n")
    result = cli("check", str(config))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{config}:5:3: error LR301 ") for line in lines), lines
    assert any(line.startswith(f"{config}:6:1: error LR001 ") for line in lines), lines
    assert "1 config checked: 2 errors" in result.stderr


def test_json_positions_in_a_deepspeed_file(cli, tmp_path):
    (tmp_path / "ds.json").write_text('{\n\t"zero_optimization": {"stage": 2},\n\t"train_batch_size": 64\n}\n')
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nmax_steps: 100\nper_device_train_batch_size: 8\ndeepspeed: ds.json\n")
    findings = json.loads(cli("check", str(config), "--format", "json").stdout)["findings"]
    mismatch = next(f for f in findings if f["code"] == "LR202")
    assert (mismatch["path"], mismatch["line"], mismatch["column"]) == (str(tmp_path / "ds.json"), 3, 2)
    assert "train_batch_size=64" in mismatch["message"]


def test_github_format_annotates(cli, tmp_path):
    config = tmp_path / "a,b.yaml"  # a comma in a property must be escaped
    config.write_text("output_dir: out\nmax_steps: 100\nwarmup_steps: 60\n")
    result = cli("check", str(config), "--format", "github")
    assert result.exit_code == 0  # a warning without --strict
    line = next(line for line in result.stdout.splitlines() if "LR002" in line)
    assert line.startswith(f"::warning file={str(config).replace(',', '%2C')},line=3,col=1,title=lrcli LR002::")
    assert "\n" not in line and "warmup W = 60" in line


def test_ignore_and_strict(cli, tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nmax_steps: 100\nwarmup_steps: 60\n")
    assert cli("check", str(config), "--strict").exit_code == 1
    assert cli("check", str(config), "--strict", "--ignore", "LR002").exit_code == 0
    assert cli("check", str(config), "--strict", "--ignore", "lr0").exit_code == 0  # a family, any case
    bad = cli("check", str(config), "--ignore", "LR999")
    assert bad.exit_code == 2 and "LR999" in bad.stderr and bad.stderr.count("\n") == 1
    assert cli("check", str(tmp_path / "missing.yaml")).exit_code == 2
    assert cli("check", str(config), "--format", "xml").exit_code == 2


def test_a_directory_is_searched_and_launcher_configs_are_skipped(cli, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "train.yaml").write_text("output_dir: out\nmax_steps: 100\ndeepspeed: ds.json\n")
    (tmp_path / "sub" / "ds.json").write_text('{"train_batch_size": 64}')  # checked with train.yaml
    (tmp_path / "accelerate.yaml").write_text("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\n")
    (tmp_path / "workflow.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "broken.yaml").write_text("a: [\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("output_dir: out\nlearning_rate: 0\n")
    result = cli("check", str(tmp_path), "--format", "json")
    document = json.loads(result.stdout)
    assert document["checked"] == 1
    assert {f["code"] for f in document["findings"]} == {"LR202"}
    assert result.exit_code == 1


def test_plot_and_steps_print_check_findings_as_warnings(cli, tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nmax_steps: 100\nwarmup_steps: 60\neval_strategy: steps\neval_steps: 500\n")
    for args in (("steps", str(config)), ("plot", str(config), "-o", str(tmp_path / "lr.csv"))):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        warnings = [line for line in result.stderr.splitlines() if line.startswith("lrcli: warning: LR")]
        assert {line.split()[2] for line in warnings} == {"LR002", "LR501"}, result.stderr


def test_compare_prints_each_configs_check_findings_under_its_label(cli, tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nmax_steps: 100\nwarmup_steps: 60\neval_strategy: steps\neval_steps: 500\n")
    result = cli("compare", str(config), "cosine", "--total-steps", "100", "-o", str(tmp_path / "c.csv"))
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("lrcli: warning: train: LR")]
    assert {line.split()[3] for line in warnings} == {"LR002", "LR501"}, result.stderr  # none for the bare `cosine`


def test_check_does_not_import_matplotlib(tmp_path):
    import subprocess
    import sys

    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nmax_steps: 100\n")
    code = (f"import sys; from lrcli.cli import main\ntry:\n    main(['check', {str(config)!r}])\nexcept SystemExit:\n    pass\n"
            "print('MATPLOTLIB' if 'matplotlib' in sys.modules else 'CLEAN', file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().endswith("CLEAN"), done.stderr


def test_a_deepspeed_scheduler_the_config_does_not_contradict_is_info(cli, tmp_path):
    (tmp_path / "ds.json").write_text('{\n  "scheduler": {\n    "type": "WarmupLR",\n    "params": {"warmup_num_steps": 5}\n  }\n}\n')
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nmax_steps: 100\ndeepspeed: ds.json\n")
    findings = json.loads(cli("check", str(config), "--format", "json", "--strict").stdout)["findings"]
    replaced = next(f for f in findings if f["code"] == "LR201")
    assert replaced["level"] == "info" and "WarmupLR" in replaced["message"]
    assert (replaced["path"], replaced["line"]) == (str(tmp_path / "ds.json"), 3)
