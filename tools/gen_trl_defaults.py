"""Golden data: each TRL trainer config's defaults for the keys lrcli reads, and its own field names, read from the
TRL source (AST only: TRL is not installed). Writes tests/data/trl_defaults.json for lrcli's tables in
lrcli/dialects/trl.py; tests/test_configs_fidelity.py also compares live against the sources when unzipped.

    pip download --no-deps -d /tmp/trl trl==0.24.0 && (cd /tmp/trl && python -m zipfile -e trl-0.24.0-*.whl .)
    pip download --no-deps -d /tmp/trl011 trl==0.11.4 && (cd /tmp/trl011 && python -m zipfile -e trl-0.11.4-*.whl .)
    python tools/gen_trl_defaults.py /tmp/trl/trl /tmp/trl011/trl
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

# TrainingArguments keys whose defaults move the LR curve or the step count.
LR_KEYS = (
    "learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "warmup_ratio", "max_steps",
    "num_train_epochs", "per_device_train_batch_size", "gradient_accumulation_steps", "dataloader_drop_last",
    "num_generations", "num_iterations",
)  # fmt: skip


def _default(node: ast.AST) -> object:
    """The default of `x: T = value` or `x: T = field(default=value, ...)`."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "field":
        for keyword in node.keywords:
            if keyword.arg == "default":
                return ast.literal_eval(keyword.value)
        return None
    return ast.literal_eval(node)


def config_classes(package: Path) -> dict[str, tuple[str, dict[str, object], set[str]]]:
    """class name -> (base class name, {LR key: default}, own field names) for every `*Config` in trainer/."""
    classes: dict[str, tuple[str, dict[str, object], set[str]]] = {}
    for path in sorted((package / "trainer").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.ClassDef) or not node.name.endswith("Config") or not node.bases:
                continue
            base = node.bases[0]
            base_name = base.id if isinstance(base, ast.Name) else ast.unparse(base)
            defaults: dict[str, object] = {}
            fields: set[str] = set()
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    fields.add(item.target.id)
                    if item.target.id in LR_KEYS and item.value is not None:
                        defaults[item.target.id] = _default(item.value)
            classes[node.name] = (base_name, defaults, fields)
    return classes


def trainer_table(package: Path) -> dict[str, dict[str, object]]:
    """trainer (file stem of `<trainer>_config.py`) -> {"base", "defaults", "fields"} with inheritance resolved."""
    classes = config_classes(package)
    table: dict[str, dict[str, object]] = {}
    for path in sorted((package / "trainer").glob("*_config.py")):
        trainer = path.name.removesuffix("_config.py")
        names = [n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef) and n.name in classes]
        if trainer == "model" or not names:
            continue
        chain, name = [], names[0]
        while name in classes:
            chain.append(name)
            name = classes[name][0]
        defaults: dict[str, object] = {}
        fields: set[str] = set()
        for cls in reversed(chain):
            defaults.update(classes[cls][1])
            fields |= classes[cls][2]
        table[trainer] = {"class": chain[0], "root": name, "chain": chain, "defaults": defaults,
                          "fields": sorted(fields)}
    return table


def version_of(package: Path) -> str:
    """The `Version:` of the wheel's dist-info beside the unzipped package."""
    for metadata in package.parent.glob("trl-*.dist-info/METADATA"):
        for line in metadata.read_text().splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    raise SystemExit(f"no trl-*.dist-info/METADATA beside {package}")


def main(packages: list[str]) -> None:
    out = {version_of(Path(p)): trainer_table(Path(p)) for p in packages}
    target = Path(__file__).resolve().parents[1] / "tests" / "data" / "trl_defaults.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}: {', '.join(f'{v} ({len(t)} trainers)' for v, t in out.items())}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/tmp/trl/trl", "/tmp/trl011/trl"])
