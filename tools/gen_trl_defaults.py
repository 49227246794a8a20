"""Golden data: each TRL trainer config's defaults for the keys lrcli reads, read from the TRL source of every
release line (AST only: TRL is not installed), in two files:

- tests/data/trl_defaults.json: the full table (class chain, defaults, the Config's own field names) of the
  releases whose fields lrcli's trainer detection uses (TRL_KEY_HINTS): 0.11.4, 0.24.0, 1.16.0;
- tests/data/trl_defaults_history.json: the defaults of the newest patch of every minor line from 0.9 to 1.16
  (38 releases), from which lrcli.dialects.trl's TRL_LINES are checked (a line = consecutive releases whose
  defaults that move T, W or the curve are the same).

The trainers are the `<X>Config` classes of `trl/trainer/*_config.py` and, where a trainer lives there only
(TRL 0.20+ moved several), `trl/experimental/<x>/<x>_config.py`, inheritance resolved (`_BaseConfig` of 1.x,
OnPolicyConfig, ...). Releases are fetched with pip (`pip download --no-deps trl==V`) into the lrcli sources cache
(tools/framework_sources.py) unless directories are named:

    python tools/gen_trl_defaults.py                       # every release in RELEASES, from PyPI (about 20 MB)
    python tools/gen_trl_defaults.py /tmp/trl/1.16.0/trl …  # unpacked `trl/` packages
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

# The newest patch of every TRL minor line from 0.9 (the first whose configs lrcli reads) to the newest release.
RELEASES = (
    "0.9.6", "0.10.1", "0.11.4", "0.12.2", "0.13.0", "0.14.0", "0.15.2", "0.16.1", "0.17.0", "0.18.2", "0.19.1",
    "0.20.0", "0.21.0", "0.22.2", "0.23.1", "0.24.0", "0.25.1", "0.26.2", "0.27.2", "0.28.0", "0.29.1", "1.0.0",
    "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.1", "1.6.0", "1.7.1", "1.8.0", "1.9.2", "1.10.0", "1.11.0", "1.12.0",
    "1.13.0", "1.14.2", "1.15.0", "1.16.0",
)  # fmt: skip
FULL = ("0.11.4", "0.24.0", "1.16.0")  # releases whose field names go into trl_defaults.json

# TrainingArguments / TRL keys whose defaults move the LR curve or the step count, and (recorded so that every change
# between lines is written down) TRL's overrides that do not: logging, gradient checkpointing, bf16, sampling order.
LR_KEYS = (
    "learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "warmup_ratio", "max_steps",
    "num_train_epochs", "per_device_train_batch_size", "gradient_accumulation_steps", "dataloader_drop_last",
    "num_generations", "num_iterations", "steps_per_generation", "generation_batch_size", "packing",
    "packing_strategy", "max_length", "max_seq_length", "logging_steps", "gradient_checkpointing", "bf16",
    "train_sampling_strategy", "average_tokens_across_devices",
)  # fmt: skip


def _default(node: ast.AST) -> object:
    """The default of `x: T = value` or `x: T = field(default=value, ...)` (`default_factory=dict` as {})."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "field":
        for keyword in node.keywords:
            if keyword.arg == "default":
                return ast.literal_eval(keyword.value)
            if keyword.arg == "default_factory" and getattr(keyword.value, "id", None) in ("dict", "list"):
                return {"dict": {}, "list": []}[keyword.value.id]
        return None
    return ast.literal_eval(node)


def _config_files(package: Path) -> list[Path]:
    return sorted((package / "trainer").glob("*.py")) + sorted((package / "experimental").glob("*/*.py"))


def config_classes(package: Path) -> dict[str, tuple[str, dict[str, object], set[str]]]:
    """class name -> (base class name, {LR key: default}, own field names) for every `*Config` class."""
    classes: dict[str, tuple[str, dict[str, object], set[str]]] = {}
    for path in _config_files(package):
        tree = ast.parse(path.read_text())
        aliases = {alias.asname: alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   for alias in node.names if alias.asname}
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or not node.name.endswith("Config") or not node.bases:
                continue
            base = node.bases[0]
            base_name = base.id if isinstance(base, ast.Name) else ast.unparse(base).rsplit(".", 1)[-1]
            if aliases.get(base_name) == node.name:
                continue  # a deprecation shim (`class CPOConfig(_CPOConfig)` over trl.experimental's): that one counts
            base_name = aliases.get(base_name, base_name)  # `from ..grpo_config import GRPOConfig as _GRPOConfig`
            defaults: dict[str, object] = {}
            fields: set[str] = set()
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    fields.add(item.target.id)
                    if item.target.id in LR_KEYS and item.value is not None:
                        defaults[item.target.id] = _default(item.value)
            if node.name not in classes or path.parent.name == "trainer":  # trainer/ wins over experimental/
                classes[node.name] = (base_name, defaults, fields)
    return classes


def _trainer_files(package: Path) -> list[tuple[str, Path, bool]]:
    """(trainer name, its `<name>_config.py`, experimental?) — trainer/ first; experimental/ only for names it lacks."""
    found = [(p.name.removesuffix("_config.py"), p, False) for p in sorted((package / "trainer").glob("*_config.py"))]
    names = {name for name, _, _ in found}
    for path in sorted((package / "experimental").glob("*/*_config.py")):
        name = path.name.removesuffix("_config.py")
        if name not in names and name == path.parent.name:
            found.append((name, path, True))
            names.add(name)
    return found


def trainer_table(package: Path, *, with_fields: bool = True) -> dict[str, dict[str, object]]:
    """trainer (file stem of `<trainer>_config.py`) -> {"class", "root", "chain", "defaults", "fields",
    "experimental"} with inheritance resolved."""
    classes = config_classes(package)
    table: dict[str, dict[str, object]] = {}
    for trainer, path, experimental in _trainer_files(package):
        names = [n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef) and n.name in classes]
        if trainer in ("model", "base") or not names:
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
        entry: dict[str, object] = {"class": chain[0], "root": name, "chain": chain, "defaults": defaults}
        if with_fields:
            entry["fields"] = sorted(fields)
        if experimental:
            entry["experimental"] = True
        if "total_episodes" in fields:  # an on-policy trainer (OnPolicyConfig and kin): T comes from total_episodes
            entry["on_policy"] = True
        table[trainer] = entry
    return table


def version_of(package: Path) -> str:
    """The `Version:` of the wheel's dist-info beside the unzipped package."""
    for metadata in package.parent.glob("trl-*.dist-info/METADATA"):
        for line in metadata.read_text().splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    raise SystemExit(f"no trl-*.dist-info/METADATA beside {package}")


def _packages(arguments: list[str]) -> list[Path]:
    if arguments:
        return [Path(a) for a in arguments]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import framework_sources

    return [framework_sources.release_dir("trl", version, "trl") for version in RELEASES]


def main(arguments: list[str]) -> None:
    packages = {version_of(p): p for p in _packages(arguments)}
    data = Path(__file__).resolve().parents[1] / "tests" / "data"
    history = {v: trainer_table(p, with_fields=False) for v, p in sorted(packages.items(), key=_key)}
    full = {v: trainer_table(p) for v, p in packages.items() if v in FULL}
    (data / "trl_defaults_history.json").write_text(json.dumps(history, indent=1, sort_keys=True) + "\n")
    print(f"wrote trl_defaults_history.json: {len(history)} releases")
    if full:
        (data / "trl_defaults.json").write_text(json.dumps(full, indent=1, sort_keys=True) + "\n")
        print(f"wrote trl_defaults.json: {', '.join(f'{v} ({len(t)} trainers)' for v, t in full.items())}")


def _key(item: tuple[str, Path]) -> tuple[int, ...]:
    return tuple(int(part) for part in item[0].split("."))


if __name__ == "__main__":
    main(sys.argv[1:])
