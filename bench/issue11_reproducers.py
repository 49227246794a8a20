"""Issue 11's reproducers, each run as a subprocess under limits, with exit code, time and peak memory.

    .venv/bin/python bench/issue11_reproducers.py [--only SUBSTRING] [--json out.json] [--as-limit-gb 4]

Every case runs `python -m lrcli ...` in a fresh temporary directory, in its own session, under an address-space
limit (RLIMIT_AS, default 4 GB: a case that "eats the machine" ends in MemoryError instead), a file-size limit and a
wall-clock timeout (a hang is reported as `timeout`). Peak RSS comes from `os.wait4` for that child alone.
Cases needing a non-root user run the child as `nobody` (only when this script runs as root); the signal cases send
SIGINT/SIGTERM while the output's temporary file exists; the TTY case gives the child a pseudo-terminal as its
controlling terminal. The /dev/stdout case uses a symlink of our own to /proc/self/fd/1 (what /dev/stdout is), so
the machine's /dev/stdout is never at risk.

Prints one row per case: name, exit code, seconds, MB, stderr lines, longest stderr line, and what the case checks
(leftover temp files, input modified, symlink replaced, mode changed, bytes on the terminal).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pty
import pwd
import resource
import select
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PYTHON = sys.executable
STDERR_KEEP = 4000  # bytes of stderr kept for the report; the size is measured in full


@dataclass
class Case:
    name: str
    argv: list[str] | Callable[[Path], list[str]]
    setup: Callable[[Path], None] | None = None
    stdout: str = "pipe"  # pipe | devfull | file:NAME | pty
    as_nobody: bool = False
    send_signal: int | None = None  # sent once a `.<output>.*` temp file appears
    signal_output: str = "big.csv"
    timeout: float = 60.0
    watch: list[str] = field(default_factory=list)  # input files that must not change
    check: Callable[[Path], str] | None = None  # extra verdict after the run


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)


# ---------------------------------------------------------------- file generators


def nested_json(depth: int) -> str:
    return '{"learning_rate": 1e-4, "x": ' + "[" * depth + "]" * depth + "}"


def nested_yaml(depth: int) -> str:
    # flow style: one line, `depth` levels of lists inside a HF config
    return "learning_rate: 1.0e-4\nlr_scheduler_type: cosine\nx: " + "[" * depth + "]" * depth + "\n"


def big_yaml(keys: int) -> str:
    head = "learning_rate: 1.0e-4\nlr_scheduler_type: cosine\nper_device_train_batch_size: 8\n"
    return head + "".join(f"unused_key_{i:06d}: {i}\n" for i in range(keys))


def billion_laughs(key: str = "warmup_steps") -> str:
    lines = ['learning_rate: 1.0e-4', 'micro_batch_size: 2', 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"{key}: *a8")
    return "\n".join(lines) + "\n"


def _mkfifo(path: Path) -> None:
    os.mkfifo(path)


def _private_dir(tmp: Path) -> None:
    """D: mode 700, owned by root, with files inside that `nobody` cannot even stat."""
    d = tmp / "D"
    d.mkdir()
    _write(d / "a.jsonl", '{"x": 1}\n')
    _write(d / "b.jsonl", '{"x": 1}\n')
    _write(d / "foo.yaml", "learning_rate: 1.0e-4\nlr_scheduler_type: cosine\n")
    _write(d / "ds.json", '{"scheduler": {"type": "WarmupLR", "params": {}}}')
    d.chmod(0o700)
    tmp.chmod(0o777)
    _write(tmp / "ax.yml", "base_model: x\nmicro_batch_size: 2\nlearning_rate: 1.0e-4\ndeepspeed: D/ds.json\n")
    (tmp / "ax.yml").chmod(0o644)


def _axolotl(tmp: Path, extra: str) -> None:
    _write(tmp / "ax.yml", "base_model: x\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 1.0e-4\n" + extra)


def _hf(tmp: Path, extra: str, name: str = "cfg.yaml") -> None:
    _write(tmp / name, "learning_rate: 1.0e-4\nlr_scheduler_type: cosine\nper_device_train_batch_size: 8\n" + extra)


def _link_verdict(link: str, expect_target: str) -> Callable[[Path], str]:
    def verdict(tmp: Path) -> str:
        path = tmp / link
        if not path.is_symlink():
            return "LINK REPLACED by a regular file" if path.exists() else "link gone"
        target = tmp / expect_target
        return f"link kept; target {target.stat().st_size if target.exists() else 'missing'} B"

    return verdict


def _mode_verdict(name: str, expected: int) -> Callable[[Path], str]:
    def verdict(tmp: Path) -> str:
        mode = stat.S_IMODE((tmp / name).stat().st_mode)
        return f"mode {mode:o}" + ("" if mode == expected else f" (was {expected:o}: CHANGED)")

    return verdict


# ---------------------------------------------------------------- the cases

HF_SCHEDULES = ["linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
                "inverse_sqrt", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay"]
HF_EXTRA = {"cosine_with_min_lr": ["--kw", "min_lr_rate=0.1"], "cosine_warmup_with_min_lr": ["--kw", "min_lr_rate=0.1"],
            "warmup_stable_decay": ["--kw", "num_decay_steps=3"]}
AX_SCHEDULES = ["axolotl_rex", "axolotl_cosine_quadratic_warmup", "axolotl_cosine_min_lr", "axolotl_cosine_min_lr_constant"]
AX_EXTRA = {"axolotl_cosine_min_lr": ["--kw", "cosine_min_lr_ratio=0.1"],
            "axolotl_cosine_min_lr_constant": ["--kw", "cosine_min_lr_ratio=0.1", "--kw", "cosine_constant_lr_ratio=0.5"]}
BIG = "99999999999999999999999"


def cases() -> list[Case]:
    out: list[Case] = []
    add = out.append
    # 1. numbers at the edge
    add(Case("1 steps --epochs 1e308", ["steps", "--samples", "1000000", "--epochs", "1e308"]))
    for name in HF_SCHEDULES + AX_SCHEDULES:
        extra = HF_EXTRA.get(name, []) + AX_EXTRA.get(name, [])
        add(Case(f"1 plot {name} --warmup-steps 1e308",
                 ["plot", "--schedule", name, "--total-steps", "10", "--warmup-steps", "1e308", "-o", "a.csv", *extra]))
    big_kw = [
        ("StepLR", f"step_size={BIG}"), ("inverse_sqrt", f"timescale={BIG}"),
        ("warmup_stable_decay", f"num_decay_steps={BIG}"),
        ("warmup_stable_decay", f"num_stable_steps={BIG}", "num_decay_steps=2"),
        ("CosineAnnealingWarmRestarts", f"T_0={BIG}"),
        ("OneCycle", f"cycle_first_stair_count={BIG}", "cycle_min_lr=1e-5", "cycle_max_lr=1e-3"),
        ("OneCycle", f"cycle_second_stair_count={BIG}", "cycle_min_lr=1e-5", "cycle_max_lr=1e-3"),
        ("OneCycle", f"cycle_first_step_size={BIG}", "cycle_min_lr=1e-5", "cycle_max_lr=1e-3"),
        ("OneCycleLR", f"total_steps={BIG}"),
        ("WarmupDecayLR", f"total_num_steps={BIG}"), ("WarmupLR", f"warmup_num_steps={BIG}"),
        ("WarmupCosineLR", f"total_num_steps={BIG}"), ("WarmupCosineLR", f"warmup_num_steps={BIG}", "total_num_steps=100"),
        ("WarmupLR", "last_batch_iteration=-1e308"), ("WarmupLR", f"last_batch_iteration={BIG}"),
        ("LRRangeTest", f"lr_range_test_step_size={BIG}"),
        ("MultiStepLR", f"milestones=[{BIG}]"), ("ConstantLR", f"total_iters={BIG}"),
        ("LinearLR", f"total_iters={BIG}"), ("PolynomialLR", f"total_iters={BIG}"),
        ("CosineAnnealingLR", f"T_max={BIG}"), ("CyclicLR", f"step_size_up={BIG}", "base_lr=1e-6"),
    ]
    for schedule, *kws in big_kw:
        argv = ["plot", "--schedule", schedule, "--total-steps", "10", "-o", "a.csv"]
        for kw in kws:
            argv += ["--kw", kw]
        add(Case(f"1 {schedule} {kws[0][:40]}", argv))
    for schedule, *kws in [
        ("OneCycleLR", "final_div_factor=0"), ("CosineAnnealingLR", "T_max=1e-308"),
        ("CyclicLR", "base_lr=1e-6", "step_size_up=1e-308"), ("PolynomialLR", "power=-1e308"),
    ]:
        argv = ["plot", "--schedule", schedule, "--total-steps", "10", "-o", "a.csv"]
        for kw in kws:
            argv += ["--kw", kw]
        add(Case(f"1 {schedule} {' '.join(kws)}", argv))
    add(Case("1 steps ax.yml --world-size 1e308", ["steps", "ax.yml", "--samples", "1000", "--world-size", "1e308"],
             setup=lambda t: _axolotl(t, "")))
    # 2. structure
    add(Case("2 JSON config nested 1000", ["show", "deep.json"], setup=lambda t: _write(t / "deep.json", nested_json(1000))))
    add(Case("2 YAML config nested 600", ["show", "deep.yaml"], setup=lambda t: _write(t / "deep.yaml", nested_yaml(600))))
    add(Case("2 --samples d.json [x1000 ]x1000", ["steps", "--samples", "d.json"],
             setup=lambda t: _write(t / "d.json", "[" * 1000 + "]" * 1000)))
    add(Case("2 anchor cycle as lr_scheduler_kwargs", ["plot", "cyc.yaml", "--total-steps", "10", "-o", "a.json"],
             setup=lambda t: _hf(t, "lr_scheduler_kwargs: &a {b: *a}\n", "cyc.yaml")))
    add(Case("2 anchor cycle, show --json", ["show", "cyc.yaml", "--json"],
             setup=lambda t: _hf(t, "lr_scheduler_kwargs: &a {b: *a}\n", "cyc.yaml")))
    for value in (".inf", ".nan", "2024-01-01", "[1]", "abc", "{a: 1}"):
        add(Case(f"2 axolotl warmup_steps: {value}", ["steps", "ax.yml", "--samples", "1000"],
                 setup=lambda t, v=value: _axolotl(t, f"warmup_steps: {v}\n")))
    add(Case("2 axolotl batch_size: abc, empty GA", ["steps", "ax.yml", "--samples", "1000"],
             setup=lambda t: _axolotl(t, "batch_size: abc\ngradient_accumulation_steps:\n")))
    add(Case("2 axolotl lr_scheduler: 5 + DeepSpeed", ["steps", "ax.yml", "--samples", "1000"],
             setup=lambda t: (_axolotl(t, "lr_scheduler: 5\ndeepspeed: ds.json\n"),
                              _write(t / "ds.json", '{"train_micro_batch_size_per_gpu": "auto"}'))))
    # 3. size and time
    add(Case("3 7.8 MB YAML, 500k keys", ["show", "big.yaml"], setup=lambda t: _write(t / "big.yaml", big_yaml(500_000)),
             timeout=120))
    add(Case("3 billion laughs (axolotl warmup_steps)", ["steps", "ax.yml", "--samples", "1000"],
             setup=lambda t: _write(t / "ax.yml", billion_laughs()), timeout=120))
    add(Case("3 billion laughs (HF learning_rate)", ["show", "bl.yaml"],
             setup=lambda t: _write(t / "bl.yaml", "lr_scheduler_type: cosine\n" + billion_laughs("learning_rate")
                                    .replace("micro_batch_size: 2\n", "").replace("learning_rate: 1.0e-4\n", "", 1)),
             timeout=120))
    add(Case("3 billion laughs (HF lr_scheduler_kwargs)", ["steps", "bl.yaml", "--total-steps", "10"],
             setup=lambda t: _write(t / "bl.yaml", "lr_scheduler_type: cosine\n" + billion_laughs("lr_scheduler_kwargs")
                                    .replace("micro_batch_size: 2\n", "")), timeout=120))
    for suffix in ("jsonl", "json", "csv"):
        add(Case(f"3 --samples z.{suffix} -> /dev/zero", ["steps", "--samples", f"z.{suffix}"],
                 setup=lambda t, s=suffix: os.symlink("/dev/zero", t / f"z.{s}"), timeout=30))
    for flag in ("config", "--samples", "--metrics", "--accelerate-config"):
        for source, maker in (("/dev/zero", None), ("FIFO", _mkfifo)):
            if flag == "config":
                argv = ["show", "in.yaml" if maker else "/dev/zero"]
            elif flag == "--samples":
                argv = ["steps", "--samples", "in.jsonl" if maker else "/dev/zero"]
            elif flag == "--metrics":
                argv = ["plot", "--schedule", "ReduceLROnPlateau", "--total-steps", "10", "--metrics",
                        "in.json" if maker else "/dev/zero", "-o", "a.csv"]
            else:
                argv = ["steps", "--samples", "100", "--accelerate-config", "in.yaml" if maker else "/dev/zero"]
            name = "in.yaml" if "in.yaml" in argv else "in.jsonl" if "in.jsonl" in argv else "in.json"
            add(Case(f"3 {source} as {flag}", argv, setup=(lambda t, m=maker, n=name: m(t / n)) if maker else None,
                     timeout=15))
    add(Case("3 compare six 10^7-row curves to CSV",
             ["compare", "cosine", "linear", "constant", "polynomial", "inverse_sqrt", "cosine_with_restarts",
              "--total-steps", "9999999", "-o", "c.csv"], timeout=180))
    # 4. environment
    add(Case("4 nobody: -o D/x.csv", ["plot", "--total-steps", "10", "-o", "D/x.csv"], setup=_private_dir, as_nobody=True))
    add(Case("4 nobody: --samples D/a+b.jsonl", ["steps", "--samples", "D/a.jsonl+D/b.jsonl"], setup=_private_dir,
             as_nobody=True))
    add(Case("4 nobody: --samples D/a.jsonl", ["steps", "--samples", "D/a.jsonl"], setup=_private_dir, as_nobody=True))
    add(Case("4 nobody: compare D/foo cosine", ["compare", "D/foo", "cosine", "--total-steps", "10", "-o", "c.csv"],
             setup=_private_dir, as_nobody=True))
    add(Case("4 nobody: deepspeed: D/ds.json", ["steps", "ax.yml", "--samples", "100"], setup=_private_dir,
             as_nobody=True))
    add(Case("4 -o 300-char name", ["plot", "--total-steps", "10", "-o", "x" * 300 + ".csv"]))
    add(Case("4 compare default name too long", ["compare", *[f"{'c' * 40}{i}.yaml" for i in range(8)], "--total-steps", "10"],
             setup=lambda t: [_hf(t, "", f"{'c' * 40}{i}.yaml") for i in range(8)]))
    add(Case("4 steps --json >/dev/full", ["steps", "--samples", "100", "--json"], stdout="devfull"))
    add(Case("4 schedules >/dev/full", ["schedules"], stdout="devfull"))
    add(Case("4 show >/dev/full", ["show", "cfg.yaml"], setup=lambda t: _hf(t, ""), stdout="devfull"))
    add(Case("4 plot -o - >/dev/full", ["plot", "--total-steps", "10", "-o", "-"], stdout="devfull"))
    # 5. output safety
    add(Case("5 -o my_stdout_link (-> /proc/self/fd/1) --format png > out.txt",
             ["plot", "--total-steps", "10", "-o", "stdout_link", "--format", "png"],
             setup=lambda t: os.symlink("/proc/self/fd/1", t / "stdout_link"), stdout="file:out.txt",
             check=lambda t: ("LINK REPLACED" if not (t / "stdout_link").is_symlink() else "link kept")
             + f"; out.txt {(t / 'out.txt').stat().st_size} B"))
    add(Case("5 -o link -> target.csv", ["plot", "--total-steps", "10", "-o", "link.csv"],
             setup=lambda t: (_write(t / "target.csv", "old\n"), os.symlink("target.csv", t / "link.csv")),
             check=_link_verdict("link.csv", "target.csv")))
    add(Case("5 -o dangling link", ["plot", "--total-steps", "10", "-o", "link.csv"],
             setup=lambda t: os.symlink("sub/none.csv", t / "link.csv"), check=_link_verdict("link.csv", "sub/none.csv")))
    add(Case("5 plot cfg.json -o cfg.json", ["plot", "cfg.json", "--samples", "100", "-o", "cfg.json", "--format", "json"],
             setup=lambda t: _write(t / "cfg.json", '{"learning_rate": 1e-4, "lr_scheduler_type": "cosine"}'),
             watch=["cfg.json"]))
    add(Case("5 existing output mode 600", ["plot", "--total-steps", "10", "-o", "a.csv"],
             setup=lambda t: (_write(t / "a.csv", "x\n"), (t / "a.csv").chmod(0o600)), check=_mode_verdict("a.csv", 0o600)))
    add(Case("5 -o /dev/tty --format png", ["plot", "--total-steps", "10", "-o", "/dev/tty", "--format", "png"],
             stdout="pty"))
    add(Case("5 SIGINT during write", ["plot", "--total-steps", "9999999", "-o", "big.csv"], send_signal=signal.SIGINT,
             timeout=120))
    add(Case("5 SIGTERM during write", ["plot", "--total-steps", "9999999", "-o", "big.csv"], send_signal=signal.SIGTERM,
             timeout=120))
    # 6. messages
    add(Case("6 --samples $'a\\nb.jsonl'", ["steps", "--samples", "a\nb.jsonl"]))
    add(Case("6 config $'x\\ny.yaml'", ["show", "x\ny.yaml"]))
    add(Case("6 -o $'nodir\\nx/y.csv'", ["plot", "--total-steps", "10", "-o", "nodir\nx/y.csv"]))
    add(Case("6 compare $'cos\\nine' linear", ["compare", "cos\nine", "linear", "--total-steps", "10", "-o", "c.csv"]))
    add(Case("6 matplotlib warning (40 world sizes)",
             ["compare", "cosine", "--total-steps", "100", "--world-size", ",".join(map(str, range(1, 41))), "-o", "w.png"]))
    return out


# ---------------------------------------------------------------- running one case


def _limits(as_bytes: int, nobody: bool) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (as_bytes, as_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 30, 2 << 30))
        if nobody:
            entry = pwd.getpwnam("nobody")
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)

    return apply


def nobody_python() -> tuple[str, str]:
    """An interpreter `nobody` may run, and the PYTHONPATH that gives it lrcli and its dependencies.

    A venv's python is often a link into root's home (pyenv), which `nobody` cannot traverse; a system python of
    the same minor version can load the venv's packages instead."""
    import shutil
    import sysconfig

    paths = os.pathsep.join([str(Path(__file__).resolve().parents[1]), sysconfig.get_paths()["purelib"]])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/{version}", shutil.which(version) or "", "/usr/bin/python3"):
        if not candidate:
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import numpy, yaml, typer, lrcli"], env={**os.environ, "PYTHONPATH": paths},
                preexec_fn=_limits(1 << 32, True), capture_output=True, cwd="/",
            )
        except OSError:
            continue
        if probe.returncode == 0:
            return candidate, paths
    raise RuntimeError("no python that nobody can run finds lrcli; run this as a user who can read the venv")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def run_case(case: Case, as_bytes: int) -> dict[str, Any]:
    if case.as_nobody and os.geteuid() != 0:
        return {"name": case.name, "skipped": "needs root to switch to nobody"}
    with tempfile.TemporaryDirectory(prefix="lrcli11-") as tmp_name:
        tmp = Path(tmp_name)
        if case.setup:
            case.setup(tmp)
        before = set(os.listdir(tmp))
        watched = {name: _digest(tmp / name) for name in case.watch}
        argv = case.argv(tmp) if callable(case.argv) else case.argv
        python, extra_path = nobody_python() if case.as_nobody else (PYTHON, "")
        cmd = [python, "-m", "lrcli", *argv]
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
        if extra_path:
            env["PYTHONPATH"] = extra_path
        err_path = tmp / ".stderr"
        err_file = open(err_path, "wb")  # noqa: SIM115
        master = None
        preexec = _limits(as_bytes, case.as_nobody)
        if case.stdout == "devfull":
            out = open("/dev/full", "wb")  # noqa: SIM115
        elif case.stdout.startswith("file:"):
            out = open(tmp / case.stdout[5:], "wb")  # noqa: SIM115
        elif case.stdout == "pty":
            master, slave = pty.openpty()
            out = slave

            def preexec() -> None:  # the pty becomes the child's controlling terminal, as in an interactive shell
                os.setsid()
                import fcntl
                import termios

                fcntl.ioctl(0, termios.TIOCSCTTY, 0)
                _limits(as_bytes, case.as_nobody)()
        else:
            out = subprocess.PIPE
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=tmp, env=env, stdin=out if case.stdout == "pty" else subprocess.DEVNULL, stdout=out,
            stderr=err_file, preexec_fn=preexec, start_new_session=case.stdout != "pty",
        )
        stdout_bytes = 0
        tty_bytes = 0
        signalled = False
        status = rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if master is not None:
                while select.select([master], [], [], 0)[0]:
                    try:
                        tty_bytes += len(os.read(master, 65536))
                    except OSError:
                        break
            if proc.stdout is not None:
                while select.select([proc.stdout], [], [], 0)[0]:
                    chunk = os.read(proc.stdout.fileno(), 1 << 20)
                    if not chunk:
                        break
                    stdout_bytes += len(chunk)
            if case.send_signal and not signalled and any(
                n.startswith(f".{case.signal_output}.") for n in os.listdir(tmp)
            ):
                os.kill(proc.pid, case.send_signal)
                signalled = True
            if time.monotonic() - start > case.timeout:
                os.killpg(proc.pid, signal.SIGKILL) if case.stdout != "pty" else proc.kill()
                pid, status, rusage = os.wait4(proc.pid, 0)
                status = None
                break
            time.sleep(0.005)
        elapsed = time.monotonic() - start
        proc.returncode = 0  # reaped above
        if proc.stdout is not None:
            stdout_bytes += len(proc.stdout.read())
        if master is not None:
            try:
                while select.select([master], [], [], 0.05)[0]:
                    tty_bytes += len(os.read(master, 65536))
            except OSError:
                pass
            os.close(master)
            os.close(out)
        elif case.stdout != "pipe":
            out.close()
        err_file.close()
        err_size = err_path.stat().st_size
        with open(err_path, "rb") as handle:
            err = handle.read(STDERR_KEEP).decode("utf-8", "replace")
        lines = err.splitlines()
        if status is None:
            code: Any = "timeout"
        elif os.WIFSIGNALED(status):
            code = f"signal {os.WTERMSIG(status)}"
        else:
            code = os.WEXITSTATUS(status)
        after = set(os.listdir(tmp)) - {".stderr"}
        leftovers = sorted(n for n in after - before if n.startswith("."))
        changed = [name for name, digest in watched.items() if _digest(tmp / name) != digest]
        verdicts = []
        if leftovers:
            verdicts.append(f"LEFT {', '.join(leftovers)}")
        if changed:
            verdicts.append(f"INPUT MODIFIED {', '.join(changed)}")
        if case.stdout == "pty":
            verdicts.append(f"{tty_bytes} B on the terminal")
        if case.check:
            verdicts.append(case.check(tmp))
        return {
            "name": case.name,
            "exit": code,
            "seconds": round(elapsed, 2),
            "peak_mb": round(rusage.ru_maxrss / 1024) if rusage else None,
            "stderr_lines": len(lines) if err_size <= STDERR_KEEP else f">{len(lines)}",
            "stderr_bytes": err_size,
            "first_line": lines[0][:300] if lines else "",
            "verdict": "; ".join(verdicts),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="a group ('3 ') or a part of a case name")
    parser.add_argument("--json", default=None)
    parser.add_argument("--as-limit-gb", type=float, default=4.0)
    args = parser.parse_args()
    results = []
    for case in cases():
        if not (case.name.startswith(args.only) if args.only[:1].isdigit() else args.only in case.name):
            continue
        result = run_case(case, int(args.as_limit_gb * (1 << 30)))
        results.append(result)
        if "skipped" in result:
            print(f"{case.name!r}: skipped ({result['skipped']})", flush=True)
            continue
        print(
            f"{result['name']!r} | exit {result['exit']} | {result['seconds']} s | {result['peak_mb']} MB | "
            f"{result['stderr_lines']} lines / {result['stderr_bytes']} B | {result['verdict']} | {result['first_line']}",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
