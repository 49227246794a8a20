"""Issue 11's reproducers, one test each: every one exits 0 or 2 with one line, in bounded time and memory, and
harms no file.

Where a reproducer needs something the test process cannot be given in-process, it runs where it can, and says so:
- a FIFO, /dev/full, a terminal, SIGINT/SIGTERM and the address-space limit: a `python -m lrcli` subprocess (with a
  timeout, so a regression hangs the test for seconds, not forever);
- a directory another user owns: as root, a forked child that switches to `nobody` before running the CLI (the
  venv's interpreter may sit under /root, which `nobody` cannot traverse, so the child does not exec); as any other
  user, a directory of our own with mode 000, which we then cannot search either.
The extreme numbers themselves are checked against the real frameworks in test_extreme_values_oracle.py.
"""

from __future__ import annotations

import io
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
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assert_one_error_line

from lrcli.cli import main
from lrcli.cli.safe_write import write_output
from lrcli.errors import MESSAGE_CHARS, LrcliError
from lrcli.schedules import SCHEDULES

AS_LIMIT = 3 << 30
LINE_CAP = len("lrcli: error: ") + MESSAGE_CHARS + 60


def run(args: list[str], cwd: Path, *, stdout: int | None = subprocess.PIPE, timeout: float = 60,
        preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m lrcli ARGS` in `cwd`, under AS_LIMIT bytes of address space and a timeout."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
        if preexec is not None:
            preexec()

    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("LRCLI_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "lrcli", *args], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=timeout, preexec_fn=limits, env=env)


def one_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("lrcli: error: "), result.stderr
    assert len(lines[0]) <= LINE_CAP
    return lines[0]


# ---------------------------------------------------------------------------------------------- 1. numbers


def test_epochs_1e308_is_the_trainers_overflow(cli):
    line = assert_one_error_line(cli("steps", "--samples", "1000000", "--epochs", "1e308"))
    assert "OverflowError" in line and "cannot convert float infinity to integer" in line


HF_AND_AXOLOTL = [s.name for s in SCHEDULES.values() if s.family in ("Hugging Face transformers", "axolotl")]


@pytest.mark.parametrize("schedule", HF_AND_AXOLOTL)
def test_warmup_1e308_in_every_hf_and_axolotl_schedule(cli, tmp_path, schedule):
    line = assert_one_error_line(cli("plot", "--schedule", schedule, "--total-steps", "10", "--warmup-steps", "1e308",
                                     "-o", str(tmp_path / "a.csv")))
    assert "warmup W = 1.000e+308 (309 digits)" in line and "beyond any run lrcli can count exactly" in line
    assert not (tmp_path / "a.csv").exists()


def test_axolotl_world_size_1e308(cli, tmp_path):
    (tmp_path / "ax.yml").write_text("base_model: x\nmicro_batch_size: 2\nlearning_rate: 1.0e-4\n")
    line = assert_one_error_line(cli("steps", str(tmp_path / "ax.yml"), "--samples", "1000", "--world-size", "1e308"))
    assert "--world-size" in line and "beyond any run lrcli can count exactly" in line


def test_integer_of_five_thousand_digits_in_a_kwarg(cli):
    line = assert_one_error_line(cli("plot", "--schedule", "StepLR", "--kw", "step_size=" + "9" * 5000,
                                     "--total-steps", "10", "-o", "-"))
    assert "step_size must be finite" in line


# ---------------------------------------------------------------------------------------------- 2. structure


@pytest.mark.parametrize(
    ("name", "text"),
    [("deep.json", '{"learning_rate": 1e-4, "x": ' + "[" * 1000 + "]" * 1000 + "}"),
     ("deep.yaml", "learning_rate: 1.0e-4\nx: " + "[" * 600 + "]" * 600 + "\n"),
     ("deep_block.yaml", "learning_rate: 1.0e-4\n" + "".join(" " * i + f"k{i}:\n" for i in range(200)))],
)
def test_deep_config_is_refused(cli, tmp_path, name, text):
    (tmp_path / name).write_text(text)
    assert "nested more than 100 levels" in assert_one_error_line(cli("show", str(tmp_path / name)))


def test_deep_samples_json_is_refused(cli, tmp_path):
    (tmp_path / "d.json").write_text("[" * 1000 + "]" * 1000)
    assert "nested more than 100 levels" in assert_one_error_line(cli("steps", "--samples", str(tmp_path / "d.json")))


@pytest.mark.parametrize("args", [["plot", "--total-steps", "10", "-o", "-"], ["show", "--json"]])
def test_recursive_anchor_is_refused(cli, tmp_path, args):
    config = tmp_path / "cyc.yaml"
    config.write_text("learning_rate: 1.0e-4\nlr_scheduler_type: cosine\nlr_scheduler_kwargs: &a {b: *a}\n")
    line = assert_one_error_line(cli(args[0], str(config), *args[1:]))
    assert "used inside its own value" in line and "line 3" in line


AXOLOTL = "base_model: x\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 1.0e-4\n"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [("warmup_steps: .inf", "warmup_steps must be a finite number"),
     ("warmup_steps: .nan", "warmup_steps must be a finite number"),
     ("warmup_steps: 2024-01-01", "warmup_steps must be a number"),
     ("warmup_steps: [1]", "warmup_steps must be a number"),
     ("warmup_steps: abc", "warmup_steps must be a number"),
     ("warmup_steps: {a: 1}", "warmup_steps must be a number"),
     ("batch_size: abc\ngradient_accumulation_steps:", "batch_size must be a number"),
     ("lr_scheduler: 5\ndeepspeed: ds.json", "lr_scheduler must be a string"),
     ("context_parallel_size: abc", "context_parallel_size must be a number"),
     ("sequence_len: 99999999999999999999999", "beyond any run lrcli can count exactly")],
)
def test_axolotl_values_of_the_wrong_type(cli, tmp_path, extra, needle):
    (tmp_path / "ds.json").write_text('{"scheduler": {"type": "WarmupLR", "params": {}}}')
    (tmp_path / "ax.yml").write_text(AXOLOTL + extra + "\n")
    assert needle in assert_one_error_line(cli("steps", str(tmp_path / "ax.yml"), "--samples", "1000"))


# ---------------------------------------------------------------------------------------------- 3. size and time


def test_a_7_8_mb_config_is_refused_before_it_is_parsed(cli, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("learning_rate: 1.0e-4\n" + "".join(f"unused_key_{i:06d}: {i}\n" for i in range(500_000)))
    assert big.stat().st_size > 7 << 20
    start = time.monotonic()
    line = assert_one_error_line(cli("show", str(big)))
    assert "lrcli reads such a file up to 1.0 MiB" in line
    assert time.monotonic() - start < 30  # a hang detector, not a speed goal (bench/bench_config_read.py measures)


def test_a_config_of_many_tiny_items_is_refused(cli, tmp_path):
    config = tmp_path / "items.yaml"
    config.write_text("learning_rate: 1.0e-4\nx: [" + "1," * 100_000 + "1]\n")
    assert "YAML items" in assert_one_error_line(cli("show", str(config)))


def _billion_laughs(key: str) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "\n".join(lines) + f"\n{key}: *a8\n"


@pytest.mark.parametrize(("head", "key"), [("base_model: x\nlearning_rate: 1.0e-4\nmicro_batch_size: 2\n", "warmup_steps"),
                                          ("lr_scheduler_type: cosine\n", "learning_rate"),
                                          ("learning_rate: 1.0e-4\n", "lr_scheduler_kwargs")])
def test_billion_laughs_is_refused(cli, tmp_path, head, key):
    config = tmp_path / "bl.yaml"
    config.write_text(head + _billion_laughs(key))
    line = assert_one_error_line(cli("steps", str(config), "--total-steps", "10"))
    assert "billion laughs" in line and len(line) < 300


ZERO = "/dev/zero"


@pytest.mark.parametrize(
    "args",
    [["show", ZERO], ["show", "z.yaml"], ["steps", "--samples", "z.jsonl"], ["steps", "--samples", "z.csv"],
     ["steps", "--samples", "z.json"], ["plot", "--schedule", "ReduceLROnPlateau", "--total-steps", "10",
                                        "--metrics", ZERO, "-o", "-"],
     ["steps", "--samples", "100", "--accelerate-config", ZERO]],
)
def test_dev_zero_is_refused_before_a_byte_is_read(cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    for name in ("z.yaml", "z.jsonl", "z.csv", "z.json"):
        os.symlink(ZERO, tmp_path / name)
    assert "is a character device, not a regular file" in assert_one_error_line(cli(*args))


@pytest.mark.parametrize(
    "args",
    [["show", "in.yaml"], ["steps", "--samples", "in.jsonl"],
     ["plot", "--schedule", "ReduceLROnPlateau", "--total-steps", "10", "--metrics", "in.json", "-o", "-"],
     ["steps", "--samples", "100", "--accelerate-config", "in.yaml"]],
)
def test_a_fifo_is_refused_instead_of_blocking(tmp_path, args):
    """Subprocess: a regression would block on open() forever; the timeout turns that into a failure."""
    for name in ("in.yaml", "in.jsonl", "in.json"):
        os.mkfifo(tmp_path / name)
    assert "is a FIFO (named pipe), not a regular file" in one_error_line(run(args, tmp_path, timeout=30))


def test_compare_of_many_long_curves_stays_within_memory(tmp_path):
    """Subprocess under a 3 GB address-space limit: six 10^7-row curves once needed more than 8 GB (then a shared
    10^7-row cap refused them); now each is outlined past the rows compare holds in arrays, and the plot is drawn."""
    names = ["cosine", "linear", "constant", "polynomial", "inverse_sqrt", "cosine_with_restarts"]
    result = run(["compare", *names, "--total-steps", "9999999", "-o", "c.png"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------- 4. environment


@pytest.fixture
def shared_dir():
    """A working directory `nobody` can reach (pytest's tmp_path sits under a mode-700 directory of root's)."""
    with tempfile.TemporaryDirectory(prefix="lrcli-other-user-") as name:
        path = Path(name)
        path.chmod(0o777)
        yield path
        for child in path.iterdir():  # D may have been left unreadable
            child.chmod(0o700) if child.is_dir() else None


def _as_other_user(tmp_path: Path) -> tuple[Path, Callable[[list[str], Path], tuple[int, str]]]:
    """A directory D the CLI may not search, and a runner of the CLI: as root, D is root's (mode 700) and the CLI
    runs as nobody in a forked child; otherwise D is ours with mode 000."""
    d = tmp_path / "D"
    d.mkdir()
    for name, text in (("a.jsonl", '{"x": 1}\n'), ("b.jsonl", '{"x": 1}\n'), ("ds.json", '{"scheduler": {}}'),
                       ("foo.yaml", "learning_rate: 1.0e-4\n")):
        (d / name).write_text(text)
    (tmp_path / "ax.yml").write_text(AXOLOTL + "deepspeed: D/ds.json\n")
    if os.geteuid() == 0:
        d.chmod(0o700)
        tmp_path.chmod(0o777)
        (tmp_path / "ax.yml").chmod(0o644)
        return d, _forked_as_nobody
    d.chmod(0)
    return d, _in_process


def _in_process(argv: list[str], cwd: Path) -> tuple[int, str]:
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with CliRunner().isolation() as (_, stderr, _mixed):
            try:
                main(argv)
            except SystemExit as exc:
                code = exc.code
            return code, stderr.getvalue().decode()
    finally:
        os.chdir(previous)


def _warm_up() -> None:
    """Run each command once as root first: everything they import lazily (the renderers, Typer's pydantic
    adapters) is then loaded, since the child, as nobody, cannot read root's copy of the standard library."""
    with tempfile.TemporaryDirectory() as name:
        scratch = Path(name)
        (scratch / "ax.yml").write_text(AXOLOTL + "deepspeed: ds.json\n")
        (scratch / "ds.json").write_text('{"scheduler": {}}')
        (scratch / "a.jsonl").write_text('{"x": 1}\n')
        for argv in (["plot", "--total-steps", "10", "-o", "x.csv"], ["steps", "--samples", "a.jsonl+a.jsonl"],
                     ["compare", "ax.yml", "cosine", "--total-steps", "10", "-o", "c.csv"],
                     ["steps", "ax.yml", "--samples", "10"]):
            _in_process(argv, scratch)


def _forked_as_nobody(argv: list[str], cwd: Path) -> tuple[int, str]:
    _warm_up()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become nobody, run the CLI, report its stderr through the pipe
        try:
            os.close(read)
            os.chdir(cwd)  # _in_process returns to the directory it started in: the test's own may be root's 0700
            user = pwd.getpwnam("nobody")
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            code, err = _in_process(argv, cwd)
            os.write(write, f"{code}\n{err}".encode())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            os.write(write, f"-1\nthe child failed: {exc!r}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as handle:
        data = handle.read().decode()
    os.waitpid(pid, 0)
    code, _, err = data.partition("\n")
    return int(code), err


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["plot", "--total-steps", "10", "-o", "D/x.csv"], "cannot write D/x.csv: Permission denied"),
     (["steps", "--samples", "D/a.jsonl+D/b.jsonl"], "permission denied"),
     (["compare", "D/foo", "cosine", "--total-steps", "10", "-o", "c.csv"], "D/foo: permission denied"),
     (["compare", "D/foo.yaml", "cosine", "--total-steps", "10", "-o", "c.csv"], "permission denied"),
     (["steps", "ax.yml", "--samples", "100"], "D/ds.json: permission denied")],
)
def test_a_directory_another_user_owns(shared_dir, args, needle):
    """As root: run as nobody (forked child). As another user: a mode-000 directory of our own."""
    _, runner = _as_other_user(shared_dir)
    code, err = runner(args, shared_dir)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("lrcli: error: "), err
    assert needle in lines[0], lines[0]


def test_an_output_name_longer_than_the_file_system_allows(cli, tmp_path):
    line = assert_one_error_line(cli("plot", "--total-steps", "10", "-o", str(tmp_path / ("x" * 300 + ".csv"))))
    assert "the file name is 304 bytes long, more than the 255 a file system allows" in line


def test_the_default_compare_name_is_shortened_to_fit(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = [f"{'c' * 40}{i}.yaml" for i in range(8)]
    for name in names:
        (tmp_path / name).write_text("learning_rate: 1.0e-4\nlr_scheduler_type: cosine\n")
    result = cli("compare", *names, "--total-steps", "10")
    assert result.exit_code == 0, result.stderr
    written = [p.name for p in tmp_path.glob("compare_*.png")]
    assert len(written) == 1 and len(written[0].encode()) <= 255 and "_more.png" in written[0]


@pytest.mark.parametrize("args", [["steps", "--samples", "100", "--json"], ["schedules"], ["show", "cfg.yaml"],
                                  ["plot", "--total-steps", "10", "-o", "-"]])
def test_a_full_stdout_is_one_error_line(tmp_path, args):
    """Subprocess with stdout on /dev/full (ENOSPC on every write)."""
    (tmp_path / "cfg.yaml").write_text("learning_rate: 1.0e-4\nlr_scheduler_type: cosine\n")
    with open("/dev/full", "wb") as full:
        line = one_error_line(run(args, tmp_path, stdout=full.fileno()))
    assert "cannot write to standard output: No space left on device" in line


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """Subprocess piped into a reader that closes after one line (`lrcli plot -o - | head -1`): no error line, no
    'Exception ignored' from the interpreter's last flush, exit 0."""
    process = subprocess.Popen([sys.executable, "-m", "lrcli", "plot", "--total-steps", "200000", "-o", "-"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "MPLBACKEND": "Agg"})
    assert process.stdout.readline() == b"step,lr\n"
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and err == b"", err


# ---------------------------------------------------------------------------------------------- 5. output safety


def test_writing_through_a_link_to_our_stdout_keeps_the_link(tmp_path):
    """What `-o /dev/stdout > out.txt` did to /dev/stdout as root, on a link of our own (/dev/stdout is a link to
    /proc/self/fd/1): the data reaches the redirected file and the link stays a link. Subprocess (its own fd 1)."""
    os.symlink("/proc/self/fd/1", tmp_path / "stdout_link")
    with open(tmp_path / "out.txt", "wb") as out:
        result = run(["plot", "--total-steps", "10", "-o", "stdout_link", "--format", "png"], tmp_path,
                     stdout=out.fileno())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "stdout_link").is_symlink()
    assert (tmp_path / "out.txt").read_bytes().startswith(b"\x89PNG")


def test_writing_through_a_link_writes_its_target(cli, tmp_path):
    (tmp_path / "target.csv").write_text("old\n")
    os.symlink("target.csv", tmp_path / "link.csv")
    result = cli("plot", "--total-steps", "10", "-o", str(tmp_path / "link.csv"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "link.csv").is_symlink() and (tmp_path / "target.csv").read_text().startswith("step,lr\n")


def test_a_dangling_link_gets_its_target_created(cli, tmp_path):
    (tmp_path / "sub").mkdir()
    os.symlink("sub/new.csv", tmp_path / "link.csv")
    assert cli("plot", "--total-steps", "10", "-o", str(tmp_path / "link.csv")).exit_code == 0
    assert (tmp_path / "link.csv").is_symlink() and (tmp_path / "sub" / "new.csv").read_text().startswith("step,lr")


@pytest.mark.parametrize("which", ["config", "samples", "deepspeed"])
def test_an_input_of_the_same_command_is_never_overwritten(cli, tmp_path, which):
    (tmp_path / "cfg.json").write_text('{"learning_rate": 1e-4, "lr_scheduler_type": "linear", "deepspeed": "ds.json"}')
    (tmp_path / "ds.json").write_text('{"train_batch_size": "auto"}')
    (tmp_path / "d.jsonl").write_text('{"x": 1}\n' * 50)
    target = {"config": "cfg.json", "samples": "d.jsonl", "deepspeed": "ds.json"}[which]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    line = assert_one_error_line(cli("plot", str(tmp_path / "cfg.json"), "--samples", str(tmp_path / "d.jsonl"),
                                     "-o", str(tmp_path / target), "--format", "json"))
    assert "refusing to write" in line and "this command reads that file" in line
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_an_existing_output_keeps_its_mode(cli, tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("x\n")
    out.chmod(0o600)
    assert cli("plot", "--total-steps", "10", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text().startswith("step,lr")


def test_binary_is_never_written_to_a_terminal(tmp_path):
    """Subprocess whose controlling terminal is a pseudo-terminal: `-o /dev/tty --format png` must not put PNG
    bytes on it."""
    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        import fcntl
        import termios

        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    try:
        result = subprocess.run(
            [sys.executable, "-m", "lrcli", "plot", "--total-steps", "10", "-o", "/dev/tty", "--format", "png"],
            cwd=tmp_path, stdin=slave, stdout=slave, stderr=subprocess.PIPE, preexec_fn=controlling_terminal,
            timeout=60, env={**os.environ, "MPLBACKEND": "Agg"},
        )
        on_terminal = b""
        while select.select([master], [], [], 0.2)[0]:
            on_terminal += os.read(master, 65536)
    finally:
        os.close(master)
        os.close(slave)
    assert "refusing to write binary data to a terminal" in one_error_line(result)
    assert b"PNG" not in on_terminal


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_write_leaves_no_file_and_says_so(tmp_path, signum, code):
    """Subprocess: the signal arrives while the CSV streams into its temporary file."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    process = subprocess.Popen([sys.executable, "-m", "lrcli", "plot", "--total-steps", "3000000", "-o", "big.csv"],
                               cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".big.csv.") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "the temporary file never appeared"
        time.sleep(0.01)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code
    assert err.decode() == "lrcli: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_the_writer_removes_its_temporary_file_when_interrupted(tmp_path):
    """In-process and deterministic: the interrupt arrives between two chunks."""

    def chunks():
        yield b"step,lr\n"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_output(str(tmp_path / "a.csv"), chunks(), binary=False)
    assert list(tmp_path.iterdir()) == []


def test_a_rendering_error_leaves_the_old_file(tmp_path):
    (tmp_path / "a.csv").write_text("old\n")

    def chunks():
        yield b"step,lr\n"
        raise LrcliError("boom")

    with pytest.raises(LrcliError):
        write_output(str(tmp_path / "a.csv"), chunks(), binary=False)
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"] and (tmp_path / "a.csv").read_text() == "old\n"


# ---------------------------------------------------------------------------------------------- 6. messages


@pytest.mark.parametrize(
    ("args", "shown"),
    [(["steps", "--samples", "a\nb.jsonl"], "--samples 'a\\nb.jsonl': no such file"),
     (["show", "x\ny.yaml"], "'x\\ny.yaml': no such file"),
     (["plot", "--total-steps", "10", "-o", "nodir\nx/y.csv"], "cannot write 'nodir\\nx/y.csv'"),
     (["compare", "cos\nine", "linear", "--total-steps", "10", "-o", "-"], "unknown schedule 'cos\\nine'")],
)
def test_a_newline_in_user_text_stays_in_one_quoted_line(cli, tmp_path, monkeypatch, args, shown):
    monkeypatch.chdir(tmp_path)
    assert shown in assert_one_error_line(cli(*args))


@pytest.mark.parametrize("count", [40, 100])
def test_a_legend_too_long_to_fit_is_left_out_instead_of_collapsing_the_axes(cli, tmp_path, count):
    sizes = ",".join(str(n) for n in range(1, count + 1))
    result = cli("compare", "cosine", "--total-steps", "100", "--world-size", sizes, "-o", str(tmp_path / "w.png"))
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr  # matplotlib's "axes sizes collapsed" is avoided


def test_library_warnings_become_one_lrcli_warning_line(cli, tmp_path, monkeypatch):
    """Whatever a library warns about while a command runs is one `lrcli: warning:` line, never raw lines."""
    import warnings

    from lrcli.render import table

    original = table.to_json

    def warning_to_json(*args, **kwargs):
        warnings.warn("a library\nsays something", UserWarning, stacklevel=1)
        return original(*args, **kwargs)

    monkeypatch.setattr(table, "to_json", warning_to_json)
    result = cli("plot", "--total-steps", "10", "-o", str(tmp_path / "a.json"))
    assert result.exit_code == 0, result.stderr
    assert "lrcli: warning: a library says something" in result.stderr.splitlines()


def test_every_stderr_line_is_capped(cli, tmp_path):
    huge = "x" * 100_000
    line = assert_one_error_line(cli("plot", "--schedule", huge, "--total-steps", "10", "-o", "-"))
    assert len(line) <= LINE_CAP and "characters" in line


def test_io_helpers_are_importable_without_the_cli():
    """The bounded reader is the API issue 10's dataset discovery reads through: no CLI import needed."""
    from lrcli.inputs import bounded

    assert callable(bounded.read_text) and callable(bounded.text_lines) and callable(bounded.probe)
    assert isinstance(io.StringIO(), io.TextIOBase)
