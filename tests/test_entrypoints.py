"""Real processes: the console script, `python -m lrcli`, start-up imports, and Typer's own usage errors."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lrcli"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=60)


def test_console_script_plots(tmp_path):
    exe = shutil.which("lrcli") or str(Path(sys.executable).parent / "lrcli")
    out = tmp_path / "out.png"
    proc = _run(
        exe,
        "plot",
        "--schedule",
        "cosine",
        "--lr",
        "5e-6",
        "--total-steps",
        "1000",
        "--warmup-ratio",
        "0.1",
        "-o",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"\x89PNG")
    assert proc.stdout == ""


def test_python_m_lrcli_matches_console_script():
    proc = _run(sys.executable, "-m", "lrcli", "plot", "--total-steps", "3", "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "step,lr"


@pytest.mark.parametrize("args", [["--help"], ["schedules"], ["plot", "--help"]])
def test_non_plot_commands_do_not_import_matplotlib(args):
    code = (
        "import sys\nfrom lrcli.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('MATPLOTLIB' if 'matplotlib' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    proc = _run(sys.executable, "-c", code)
    assert proc.stderr.strip().splitlines()[-1] == "CLEAN"


@pytest.mark.parametrize(
    "args,needle",
    [
        (["plot", "--total-steps", "abc"], "--total-steps"),
        (["plot", "--no-such-flag"], "--no-such-flag"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_typer_usage_errors_are_one_line(args, needle):
    proc = _run(sys.executable, "-m", "lrcli", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrcli: error: ") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_version():
    proc = _run(sys.executable, "-m", "lrcli", "--version")
    assert proc.returncode == 0 and proc.stdout.startswith("lrcli ")


# Which lrcli modules each module may import (docs/architecture.md): matplotlib only in render/plot.py, typer only
# in the cli package, huggingface_hub only in data/hub.py (the Hub client, imported when lrcli asks the Hub),
# tensorboard and wandb (optional extras) only in logs/tensorboard.py and logs/wandb_run.py, and
# nothing outside the cli package imports cli.
ALLOWED_THIRD_PARTY = {"numpy", "yaml", "packaging", "tomli"}  # tomli: Python 3.10 only (tomllib after)
TOOLS = PACKAGE.parent / "tools"


def _imports(path: Path, modules: frozenset[str] = frozenset()) -> set[str]:
    """Every module `path` imports, anywhere in it. `from pkg import name` imports `pkg.name` when that is one of
    `modules` (a submodule), else `pkg` itself."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in modules else node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_import_rules(path):
    rel = path.relative_to(PACKAGE).as_posix()
    in_cli = rel.startswith("cli/")
    for name in _imports(path):
        top = name.split(".")[0]
        if name == "lrcli.cli" or name.startswith("lrcli.cli."):
            assert in_cli or rel == "__main__.py", f"{rel} imports the CLI"
        if top == "matplotlib":
            assert rel == "render/plot.py", f"{rel} imports matplotlib"
        if top in ("typer", "click"):
            assert in_cli and top == "typer", f"{rel} imports {top}"
        if top in ("torch", "transformers", "accelerate", "deepspeed", "datasets", "pyarrow", "pandas"):
            pytest.fail(f"{rel} imports {top} at run time")
        if top == "huggingface_hub":
            assert rel == "data/hub.py", f"{rel} imports huggingface_hub"
            continue
        if top == "tensorboard":  # the optional extra, imported inside the TensorBoard log reader when it runs
            assert rel == "logs/tensorboard.py", f"{rel} imports tensorboard"
            continue
        if top == "wandb":  # the optional extra, imported inside the W&B run reader when it runs
            assert rel == "logs/wandb_run.py", f"{rel} imports wandb"
            continue
        if top not in ("lrcli", "matplotlib", "typer") and top not in sys.stdlib_module_names:
            assert top in ALLOWED_THIRD_PARTY, f"{rel} imports {top}"


def _module_name(path: Path, root: Path, prefix: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([prefix, *parts]) if prefix else ".".join(parts)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (module -> modules it imports), or None: a depth-first search for a back edge."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)) is not None:
                return found
        state[module] = 2
        path.pop()
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)) is not None:
            return found
    return None


def _graph(root: Path, prefix: str) -> dict[str, set[str]]:
    files = {_module_name(path, root, prefix): path for path in root.rglob("*.py")}
    modules = frozenset(files)
    return {
        module: {name for name in _imports(path, modules) if name in files and name != module}
        for module, path in files.items()
    }


def test_cycle_finder_finds_a_planted_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_in_lrcli():
    """Explicit imports only: a submodule importing a sibling does not count its package's __init__."""
    assert _cycle(_graph(PACKAGE, "lrcli")) is None


def test_no_import_cycle_between_tools():
    """tools/ scripts import each other by file name (sys.path), including inside functions."""
    assert _cycle(_graph(TOOLS, "")) is None


def test_every_dialect_has_a_planner_of_its_name():
    """A framework is one file per layer: lrcli/dialects/X.py has lrcli/steps/X.py."""
    dialects = {p.stem for p in (PACKAGE / "dialects").glob("*.py")} - {"__init__", "reading"}
    planners = {p.stem for p in (PACKAGE / "steps").glob("*.py")}
    assert dialects and dialects <= planners, dialects - planners


def test_a_bug_is_one_line_and_exit_1_unless_debugging(monkeypatch, capsys):
    from lrcli import cli
    from lrcli.cli import schedules

    def broken(_value):
        raise RuntimeError("boom")

    monkeypatch.setattr(schedules, "format_default", broken)
    monkeypatch.delenv("LRCLI_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["schedules"])
    assert exit_info.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrcli: error: internal error (RuntimeError: boom)")
    monkeypatch.setenv("LRCLI_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["schedules"])


@pytest.mark.parametrize("args", [["--help"], ["plot", "--total-steps", "3", "-o", "-"]])
def test_commands_without_data_do_not_import_huggingface_hub(args):
    """huggingface_hub is imported only when lrcli asks the Hub (lrcli/data/hub.py), so flag-only runs start fast."""
    code = (
        "import sys\nfrom lrcli.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('HUB' if 'huggingface_hub' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    proc = _run(sys.executable, "-c", code)
    assert proc.stderr.strip().splitlines()[-1] == "CLEAN"


# Every file lrcli reads goes through the one bounded reader, every file it writes through the one writer
# (docs/architecture.md, issue 11): calls that open, read or parse files are allowed nowhere else.
READ_CALLS = {"open", "read_text", "read_bytes", "safe_load", "load", "loads"}
WRITE_CALLS = {"write_text", "write_bytes", "mkstemp", "mkfifo", "fdopen"}
# The writer, output.py (/dev/null over a failed stdout) and the answer cache (lrcli's own file in the user cache
# directory, not an output) may write; only the reader reads.
WRITERS = {"cli/safe_write.py", "cli/output.py", "data/answer_cache.py"}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_one_reader_and_one_writer(path):
    rel = path.relative_to(PACKAGE).as_posix()
    if rel == "inputs/bounded.py":
        return
    allowed = WRITE_CALLS | {"open"} if rel in WRITERS else set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func  # `x.read_text()`, `json.loads()`, `os.open()`; bare names only for the builtin open()
            name = func.attr if isinstance(func, ast.Attribute) else "open" if getattr(func, "id", None) == "open" else None
            assert name not in (READ_CALLS | WRITE_CALLS) - allowed, (
                f"{rel}:{node.lineno} calls {name}(): read through inputs/bounded.py, write through cli/safe_write.py"
            )
