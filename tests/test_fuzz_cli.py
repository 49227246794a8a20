"""Fuzzing the command line (issue 11): nothing a user types makes lrcli crash, hang, eat the machine or damage a file.

Hypothesis generates whole invocations — a command, flags with edge values (huge, tiny, non-finite, non-numeric,
control characters, comma lists), scheduler kwargs drawn from each schedule's own parameters, `-o` targets
(symlinks, the input itself, missing directories, over-long names, stdout), and configs: the sample configs and the
real configs the tests carry, mutated (a value replaced by an edge value or a wrong type, a key deleted or added,
deep nesting, YAML alias bombs and cycles, truncation, bytes that are not UTF-8), beside dataset files, FIFOs and
/dev/zero. Each case runs in a fresh directory, in-process through `lrcli.cli.main` (the console entry point), and a
sample of them as a subprocess under an address-space limit. Every case must:

- exit 0 or 2; on 2 print exactly one `lrcli: error:` line, at most MAX_LINE characters, and nothing on stdout;
- print no traceback and no raw library warning, every stderr line at most MAX_LINE characters;
- leave no temporary file, no partial output after an error, and every input file as it was;
- finish within CASE_SECONDS (a hang detector, generous on purpose: speed goals live in bench/);
- (subprocess) stay under AS_LIMIT of address space: a MemoryError would be an exit 1.

CI runs the derandomized profile (HYPOTHESIS_PROFILE=ci): IN_PROCESS_CASES + SUBPROCESS_CASES cases, the same ones
every run, so a red build reproduces.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import DATA
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lrcli.cli import main
from lrcli.errors import MESSAGE_CHARS
from lrcli.schedules import SCHEDULES

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIRS = [ROOT / "sample_configs", *sorted(p for p in (DATA / "real_configs").iterdir() if p.is_dir())]
CONFIGS = sorted(
    p for d in CONFIG_DIRS for p in d.iterdir() if p.suffix in (".yaml", ".yml", ".json") and d.name != "accelerate"
)
ACCELERATE_CONFIGS = sorted((DATA / "real_configs" / "accelerate").glob("*.yaml"))
TRAINER_STATE = DATA / "trainer_state_plateau.json"

# A longer local campaign: LRCLI_FUZZ_CASES=20000 pytest tests/test_fuzz_cli.py (random unless HYPOTHESIS_PROFILE=ci).
IN_PROCESS_CASES = int(os.environ.get("LRCLI_FUZZ_CASES", 2000))
SUBPROCESS_CASES = 40
CASE_SECONDS = 60
AS_LIMIT = 3 << 30  # bytes of address space for a subprocess case
MAX_LINE = len("lrcli: error: ") + MESSAGE_CHARS + 60  # one_line's cut adds a short marker

# ---------------------------------------------------------------------------------------------- value pools
NUMBERS = [
    "0", "1", "-1", "2", "3", "7", "64", "1000", "0.5", "0.1", "1e-308", "5e-324", "1e308", "-1e308", "1e3", "2.5",
    "nan", "inf", "-inf", "-0", "9007199254740992", "9007199254740993", "9223372036854775808",
    "99999999999999999999999", "1" + "0" * 400, "1e999", "abc", "", " ", "1,2", "1,8", "a\nb", "é", "0x10",
    "1_000", "+5", "100000", "3.0", "-5", "true", "None",
]  # fmt: skip
KW_VALUES = NUMBERS + [
    "[1, 2]", "[99999999999999999999999]", '{"a": 1}', "[" * 2000 + "]" * 2000, "null", "auto", "cos", "linear",
    "triangular2", "exp_range", "[]", '[{"name": "CosineAnnealingLR"}]', "[0.5]", "1e-5", "-1e-308",
]  # fmt: skip
YAML_VALUES = [
    ".inf", ".nan", "-.inf", "2024-01-01", "[1]", "abc", "{a: 1}", "''", "99999999999999999999999", "-1", "0", "1e308",
    "null", "true", "1.0e-4", "3", "0.1", "[]", "{}", "auto", "cosine", "'5e-5'", "1" + "0" * 5000, "2024-13-45",
    "!!binary aGVsbG8=", "1_000",
]  # fmt: skip
KEYS = [
    "learning_rate", "lr", "warmup_steps", "warmup_ratio", "num_train_epochs", "max_steps", "num_epochs",
    "per_device_train_batch_size", "gradient_accumulation_steps", "micro_batch_size", "batch_size",
    "lr_scheduler_type", "lr_scheduler", "lr_scheduler_kwargs", "deepspeed", "val_set_size", "val_size",
    "max_samples", "dataset", "datasets", "sample_packing", "cosine_min_lr_ratio", "scheduler", "optimizer",
    "train_micro_batch_size_per_gpu", "train_batch_size", "epochs", "max_steps_per_epoch", "trainer",
    "lr_scheduler_kwargs.num_cycles", "num_processes", "rl", "context_parallel_size", "sequence_len",
    "accelerator_config", "accelerate_config", "num_generations", "packing", "dataloader_drop_last",
]  # fmt: skip
# Values a user would type, per flag: most cases use these, so that the edge values meet the deep code paths.
SANE = {
    "--samples": ["1000", "52002", "5000", "data.jsonl", "1000+2000", "data.csv"], "--batch": ["1", "8", "32"],
    "--grad-accum": ["1", "4"], "--epochs": ["1", "3", "0.5", "2.5"], "--world-size": ["1", "8", "2"],
    "--max-steps": ["-1", "100", "500"], "--warmup-steps": ["0", "10", "0.1"], "--warmup-ratio": ["0.1", "0.03"],
    "--total-steps": ["10", "1000", "300"], "--lr": ["1e-4", "3e-4", "5e-5"],
}  # fmt: skip
STEP_FLAGS = list(SANE)
SANE_KW = ["1", "2", "0.5", "0.1", "10", "100", "1e-5", "0.9", "true", "false", "3"]
# Arguments some schedules cannot run without, with a value that works: calm cases pass them.
NEEDED_KW = {
    "step_size": "3", "gamma": "0.5", "milestones": "[2, 5]", "T_0": "4", "base_lr": "1e-6", "num_decay_steps": "3",
    "total_num_steps": "100", "cycle_min_lr": "1e-5", "cycle_max_lr": "1e-3", "min_lr_rate": "0.1",
    "cosine_min_lr_ratio": "0.1", "cosine_constant_lr_ratio": "0.5", "schedulers": '[{"name": "CosineAnnealingLR"}]',
}  # fmt: skip
METRIC_SCHEDULES = [name for name, schedule in SCHEDULES.items() if schedule.needs_metrics]
CALM_OUTPUTS = ["out.csv", "out.json", "out.txt", "-", "link.csv", "existing.csv"]  # tables: plots cost 0.2 s each
OUTPUTS = [None, "out.csv", "out.json", "out.txt", "-", "link.csv", "dangling.csv", "INPUT", "nodir/out.csv",
           "x" * 300 + ".csv", "out.bin", "sub/", "existing.csv", "out.svg", "out.png"]


SENTINEL = "LRCLI_FUZZ_VALUE"


@dataclass
class Case:
    """One invocation and the files it needs, created in a fresh directory before it runs."""

    argv: list[str]
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> content
    links: dict[str, str] = field(default_factory=dict)  # relative path -> link target
    fifos: list[str] = field(default_factory=list)
    output: str | None = None


CHAOS_ODDS = (False, False, True)  # sampled_from draws uniformly (st.integers would favour 0)
CALM_ODDS = (False,) * 19 + (True,)


def _edge(draw: st.DrawFn, chaos: bool) -> bool:
    """Whether this choice takes an edge value: often in a chaos case, rarely in a calm one (where one edge value
    meets code that the other, valid, values let it reach)."""
    return draw(st.sampled_from(CHAOS_ODDS if chaos else CALM_ODDS))


# ---------------------------------------------------------------------------------------------- config mutation
def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _set(root: Any, path: tuple[Any, ...], value: Any) -> None:
    node = root
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _delete(root: Any, path: tuple[Any, ...]) -> None:
    node = root
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


@st.composite
def mutated_config(draw: st.DrawFn, chaos: bool) -> tuple[str, bytes, dict[str, bytes]]:
    """(file name, content, sibling files) of a sample or real config, possibly mutated."""
    source = draw(st.sampled_from(CONFIGS))
    siblings = {p.name: p.read_bytes() for p in source.parent.iterdir() if p != source and p.suffix == ".json"}
    text = source.read_bytes()
    kinds = ["value", "value", "delete", "add", "nest", "alias", "text"]
    kind = draw(st.sampled_from(kinds)) if _edge(draw, chaos) or _edge(draw, chaos) else "as is"
    if kind == "as is":
        return source.name, text, siblings
    if kind == "text":
        how = draw(st.sampled_from(["truncate", "garbage", "bom", "tabs"]))
        cut = draw(st.integers(0, len(text)))
        if how == "truncate":
            text = text[:cut]
        elif how == "garbage":
            text = text[:cut] + draw(st.binary(min_size=1, max_size=8)) + text[cut:]
        elif how == "bom":
            text = b"\xef\xbb\xbf" + text
        else:
            text = text.replace(b"  ", b"\t")
        return source.name, text, siblings
    data = json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        return source.name, text, siblings
    paths = list(_paths(data))
    raw = draw(st.sampled_from(YAML_VALUES))  # YAML text, spliced in after dumping: some are not loadable at all
    if kind == "value" and paths:
        _set(data, draw(st.sampled_from(paths)), SENTINEL)
    elif kind == "delete" and paths:
        _delete(data, draw(st.sampled_from(paths)))
    elif kind == "add":
        key = draw(st.sampled_from(KEYS))
        if "." in key:
            outer, inner = key.split(".")
            data[outer] = {inner: SENTINEL}
        else:
            data[key] = SENTINEL
    elif kind == "nest":
        depth = draw(st.sampled_from([5, 99, 150, 999, 3000]))
        raw = "[" * depth + "1" + "]" * depth
        data[draw(st.sampled_from(KEYS))] = SENTINEL
    else:  # alias: a recursive value, or one that expands past a million values
        key = draw(st.sampled_from(KEYS))
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True) if draw(st.booleans()) else ""
        if draw(st.booleans()):
            extra = f"{key}: &a {{b: *a}}\n"
        else:
            extra = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
                f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 8)
            ) + f"{key}: *a7\n"
        return Path(source.name).stem + ".yaml", (body + extra).encode(), siblings
    if source.suffix == ".json":
        return source.name, json.dumps(data).replace(json.dumps(SENTINEL), raw).encode(), siblings
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)
    return source.name, dumped.replace(SENTINEL, raw).encode(), siblings


# ---------------------------------------------------------------------------------------------- invocations
def _kwargs(draw: st.DrawFn, schedule: str | None, chaos: bool) -> list[str]:
    argv: list[str] = []
    params = list(SCHEDULES[schedule].parameters()) if schedule in SCHEDULES else []
    if not _edge(draw, chaos):
        argv += [arg for key in params if key in NEEDED_KW for arg in ("--kw", f"{key}={NEEDED_KW[key]}")]
    for _ in range(draw(st.integers(0, 3 if params else 1))):
        if params and not _edge(draw, chaos):
            key = draw(st.sampled_from(params))
        else:
            key = draw(st.sampled_from(params + ["foo", "num_warmup_steps", "cosine.num_cycles"]))
        pool = KW_VALUES if _edge(draw, chaos) or _edge(draw, chaos) else SANE_KW
        argv += ["--kw", f"{key}={draw(st.sampled_from(pool))}"]
    if _edge(draw, chaos):
        argv += ["--scheduler-kwargs", draw(st.sampled_from(['{"num_cycles": 2}', "{bad", "[1]", '{"a": ' * 300]))]
    return argv


@st.composite
def invocations(draw: st.DrawFn) -> Case:
    case = Case(argv=[])
    chaos = draw(st.sampled_from((False,) * 7 + (True,) * 3))
    command = draw(st.sampled_from(["plot", "plot", "compare", "steps", "steps", "show", "check"]))
    config = None
    if command in ("show", "check") or draw(st.booleans()):
        special = ["missing", "fifo", "zero", "dir", "newline"]
        source = draw(st.sampled_from(special)) if _edge(draw, chaos) else "config"
        if source == "config":
            name, content, siblings = draw(mutated_config(chaos))
            case.files.update({name: content, **siblings})
            config = name
        elif source == "missing":
            config = "missing.yaml"
        elif source == "fifo":
            case.fifos.append("fifo.yaml")
            config = "fifo.yaml"
        elif source == "zero":
            case.links["zero.yaml"] = "/dev/zero"
            config = "zero.yaml"
        elif source == "dir":
            case.files["d.yaml/x"] = b""
            config = "d.yaml"
        else:
            config = "x\ny.yaml"
    schedule = None
    if command == "compare":
        pool = [*SCHEDULES, "cos\nine", "nope"] if _edge(draw, chaos) else list(SCHEDULES)
        names = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        case.argv = ["compare", *([config] if config else []), *names]
        schedule = names[0]
    else:
        case.argv = [command, *([config] if config else [])]
        if command != "show" and (config is None or draw(st.booleans())):
            schedule = draw(st.sampled_from([*SCHEDULES, "nope"] if _edge(draw, chaos) else list(SCHEDULES)))
            case.argv += ["--schedule", schedule]
    if config is None and command != "compare" or _edge(draw, chaos):
        pool = ["1", "0", "1e3", "abc", "1e308", "-3", "10000001"] if _edge(draw, chaos) else ["10", "100", "300", "1000"]
        case.argv += ["--total-steps", draw(st.sampled_from(pool))]
    flags = draw(st.lists(st.sampled_from(STEP_FLAGS[:-1] if command == "steps" else STEP_FLAGS), max_size=4,
                          unique=True))
    if config is not None and "--samples" not in flags and not _edge(draw, chaos):
        flags.insert(0, "--samples")  # most configs count T from the dataset size
    for flag in flags:
        value = draw(st.sampled_from(NUMBERS if _edge(draw, chaos) else SANE[flag]))
        if command == "compare" and draw(st.sampled_from((False,) * 4 + (True,))):
            value += "," + draw(st.sampled_from(SANE[flag]))
        if flag == "--samples" and _edge(draw, chaos):
            value = draw(st.sampled_from(["data.jsonl", "data.csv", "data.json", "empty.jsonl", "deep.json",
                                          "zero.jsonl", "fifo.jsonl", "nope.jsonl", "data.jsonl+data.csv",
                                          "a\nb.jsonl", "bad.csv"]))
        case.argv += [flag, value]
    case.argv += _kwargs(draw, schedule, chaos)
    if command in ("plot", "compare") and (_edge(draw, chaos) or schedule in METRIC_SCHEDULES):
        good = ["state.json", "metrics.csv"]
        pool = [*good, "zero.jsonl", "fifo.jsonl", "deep.json", "nope.json"] if _edge(draw, chaos) else good
        case.argv += ["--metrics", draw(st.sampled_from(pool))]
    if _edge(draw, chaos):
        case.argv += ["--accelerate-config", draw(st.sampled_from(["acc.yaml", "fifo.jsonl", "zero.jsonl", "data.csv"]))]
    if config is not None and _edge(draw, chaos):
        case.argv += ["--dialect", draw(st.sampled_from(["hf", "axolotl", "deepspeed", "torchtune", "lightning",
                                                         "llamafactory", "trl", "nope"]))]
    if command in ("plot", "compare"):
        output = draw(st.sampled_from(OUTPUTS if _edge(draw, chaos) else CALM_OUTPUTS))
        if output == "INPUT":
            output = config or "data.jsonl"
        if output is not None:
            case.argv += ["-o", output]
        case.output = output
        if _edge(draw, chaos):
            case.argv += ["--format", draw(st.sampled_from(["csv", "json", "txt", "svg", "pdf", "bmp"]))]
        if _edge(draw, chaos):
            case.argv.append("--log-y")
    elif command in ("steps", "show") and draw(st.booleans()):
        case.argv.append("--json")
    elif command == "check":
        case.argv += ["--format", draw(st.sampled_from(["text", "json", "github"]))]
        if draw(st.booleans()):
            case.argv.append("--strict")
    return case


def _standard_files(case: Case, root: Path) -> None:
    files = {
        "data.jsonl": b'{"text": "a"}\n{"text": "b"}\n\n{"text": "c"}\n',
        "data.csv": b"text,label\na,1\nb,2\n",
        "bad.csv": b'text\n"' + b"x" * 200_000 + b'"\n',
        "data.json": b'[{"a": 1}, {"a": 2}]',
        "empty.jsonl": b"",
        "deep.json": b"[" * 5000 + b"]" * 5000,
        "state.json": TRAINER_STATE.read_bytes(),
        "metrics.csv": b"step,eval_loss\n10,1.0\n20,0.9\n30,0.95\n",
        "existing.csv": b"step,lr\n0,1\n",
        "acc.yaml": ACCELERATE_CONFIGS[0].read_bytes(),
        "target.csv": b"old\n",
    }
    for name, content in {**files, **case.files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "existing.csv").chmod(0o600)
    links = {"zero.jsonl": "/dev/zero", "link.csv": "target.csv", "dangling.csv": "gone/none.csv", **case.links}
    for name, target in links.items():
        os.symlink(target, root / name)
    for name in ["fifo.jsonl", *case.fifos]:
        os.mkfifo(root / name)


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under `root`: a regular file's digest, or what else it is (links are not followed)."""
    entries: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                entries[rel] = "link -> " + os.readlink(path)
            elif path.is_file():
                entries[rel] = hashlib.sha256(path.read_bytes()).digest()
            elif path.is_dir():
                entries[rel] = "dir"
            else:
                entries[rel] = "special"
    return entries


@dataclass
class Outcome:
    code: int
    stdout: bytes
    stderr: str
    seconds: float


class Hung(BaseException):
    """Raised by the watchdog: not an Exception, so lrcli's own boundary cannot swallow it."""


@contextmanager
def _watchdog(seconds: int) -> Iterator[None]:
    def bark(signum: int, frame: object) -> None:
        raise Hung(f"the case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, bark)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_in_process(argv: list[str], cwd: Path) -> Outcome:
    """`lrcli ARGV` through the console entry point, in this process, with its stdout and stderr captured."""
    runner = CliRunner()
    previous = os.getcwd()
    start = time.monotonic()
    os.chdir(cwd)
    try:
        with _watchdog(CASE_SECONDS), runner.isolation() as (stdout, stderr, _):
            try:
                main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            else:
                code = 0
            sys.stdout.flush()
            sys.stderr.flush()
            out, err = stdout.getvalue(), stderr.getvalue().decode("utf-8", "replace")
    finally:
        os.chdir(previous)
    return Outcome(code, out, err, time.monotonic() - start)


def run_subprocess(argv: list[str], cwd: Path) -> Outcome:
    """`python -m lrcli ARGV` in a child under AS_LIMIT bytes of address space and a CASE_SECONDS timeout."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))

    start = time.monotonic()
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("LRCLI_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "lrcli", *argv], cwd=cwd, capture_output=True, timeout=CASE_SECONDS,
        preexec_fn=limit, env=env, stdin=subprocess.DEVNULL,
    )
    return Outcome(result.returncode, result.stdout, result.stderr.decode("utf-8", "replace"),
                   time.monotonic() - start)


def check(case: Case, run: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="lrcli-fuzz-") as name:
        root = Path(name)
        _standard_files(case, root)
        before = _snapshot(root)
        outcome = run(case.argv, root)
        after = _snapshot(root)
        described = f"lrcli {case.argv!r} -> exit {outcome.code}\nstderr: {outcome.stderr[:3000]}"
        event(f"exit {outcome.code}")
        if outcome.code == 2:
            event(outcome.stderr.split(":")[2][:40] if outcome.stderr.count(":") > 2 else outcome.stderr[:40])
        # `check` exits 1 when it finds an error (ruff's convention); for every other command 1 is a bug
        assert outcome.code in ((0, 1, 2) if case.argv[0] == "check" else (0, 2)), described
        assert "internal error" not in outcome.stderr, described
        lines = outcome.stderr.splitlines()
        assert all(len(line) <= MAX_LINE for line in lines), described
        assert not any("Traceback" in line or "Warning:" in line and not line.startswith("lrcli: ")
                       for line in lines), described
        if outcome.code == 2:
            assert len(lines) == 1 and lines[0].startswith("lrcli: error: "), described
            assert outcome.stdout == b"", described
        created = set(after) - set(before)
        assert not [rel for rel in created if Path(rel).name.startswith(".")], (described, created)
        written = _written(case, root)
        if outcome.code == 2:
            assert not created, (described, created)
        changed = {rel for rel in before if before[rel] != after.get(rel)}
        assert changed <= written, (described, changed)


def _written(case: Case, root: Path) -> set[str]:
    """Entries a successful run may change: its output, and the file a link output points to."""
    if case.output in (None, "-"):
        return set()
    written = {case.output}
    link = root / case.output
    if os.path.islink(link):  # False, not an error, for a name too long
        written.add(os.path.relpath(os.path.normpath(link.parent / os.readlink(link)), root))
    return written


@pytest.fixture(autouse=True)
def small_files():
    """Tables stream to any length now (issue 15): a drawn `--total-steps 10000001` would write 250 MB. Here
    files are capped at 32 MB, so lrcli refuses such a table at once (`ulimit -f`), as it refuses one larger than
    the free disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (32 << 20, hard))
    yield
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@settings(max_examples=IN_PROCESS_CASES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(case=invocations())
def test_no_invocation_crashes_hangs_or_damages_a_file(case: Case) -> None:
    check(case, run_in_process)


@settings(max_examples=SUBPROCESS_CASES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(case=invocations())
def test_a_sample_as_subprocesses_under_a_memory_limit(case: Case) -> None:
    check(case, run_subprocess)


def test_the_generator_reaches_every_command_and_config() -> None:
    """The fuzz is only as good as its reach: every command, and both sample and real configs, are drawn."""
    seen: set[str] = set()
    configs: set[str] = set()

    @settings(max_examples=300, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=invocations())
    def collect(case: Case) -> None:
        seen.add(case.argv[0])
        configs.update(case.files)

    collect()
    assert seen == {"plot", "compare", "steps", "show", "check"}
    assert any(name.endswith((".yaml", ".yml")) for name in configs) and any(n.endswith(".json") for n in configs)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
