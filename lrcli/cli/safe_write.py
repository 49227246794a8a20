"""The one writer for output files: written whole or not at all, where the user meant, without harming anything.

- A symbolic link is followed, as a shell redirection follows it: the file it points to is written and the link
  stays a link (a dangling link's target is created). A link into /proc (`/dev/stdout` -> `/proc/self/fd/1`) names
  an open file of this process: it is opened and written in place, never replaced.
- A regular file is replaced atomically: the data goes to a temporary file beside it, renamed over it at the end,
  so a failure or an interrupt leaves the old file (or nothing) and no temporary file. The old file's mode (and,
  where allowed, its owner) is kept; a new file gets 0o666 minus the umask, as `open()` would give it.
- Anything else that exists (a device, a FIFO) is written in place; a FIFO nobody reads is an error, not a hang.
- A file the same command read (`inputs.bounded.files_read`) is never written over; binary data never goes to a
  terminal, whatever path names it.
- SIGINT/SIGTERM during the write remove the temporary file before the interrupt propagates (the window between
  creating it and remembering its name is closed by blocking both signals around it).
"""

from __future__ import annotations

import errno
import os
import signal
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import FileRead, PathKind, probe

NAME_MAX = 255  # bytes in one file name on every common file system (ext4, xfs, btrfs, APFS, tmpfs)
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_LINK_HOPS = 40  # as the kernel's own limit (ELOOP)


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back for the block: they arrive (as KeyboardInterrupt) when it ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _destination(given: str) -> tuple[Path, bool]:
    """The path that gets written for `-o given`, following symbolic links one hop at a time; and whether it must
    be written in place (a link into /proc names an open file of this process, which only the kernel can follow)."""
    path = Path(given)
    for _ in range(_LINK_HOPS):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return path, False  # created here (for a dangling link: its target, as `>` creates it)
        except OSError as exc:
            raise _write_error(given, path, exc) from None
        if not stat.S_ISLNK(info.st_mode):
            return path, False
        if str(path.absolute()).startswith("/proc/"):
            return path, True  # /proc/self/fd/N: the open file itself, which readlink can only describe
        target = Path(os.readlink(path))
        path = target if target.is_absolute() else path.parent / target
    raise LrcliError(f"cannot write {shown(given)}: too many levels of symbolic links")


def _write_error(given: str, path: Path, exc: OSError) -> LrcliError:
    """What went wrong, told apart by the error itself (probing the directory again could fail the same way)."""
    where = shown(given) if str(path) == given else f"{shown(given)} (-> {shown(str(path))})"
    directory = shown(str(path.parent))
    hints = {
        errno.ENOENT: f"create the directory {directory} first",
        errno.ENOTDIR: f"a part of {directory} is a file, not a directory",
        errno.EACCES: f"choose a directory you can write to ({directory} is not)",
        errno.EPERM: f"choose a directory you can write to ({directory} is not)",
        errno.EROFS: f"{directory} is on a read-only file system",
        errno.ENAMETOOLONG: "choose a shorter name",
        errno.EISDIR: "give a file name in it",
        errno.ENXIO: "no process reads that FIFO (or the device is absent)",
    }
    if exc.errno == errno.ENOENT:  # also what creating a file in /proc says
        kind = probe(path.parent if str(path.parent) else ".")
        if kind is PathKind.DIRECTORY:
            hints[errno.ENOENT] = hints[errno.EACCES]
        elif kind is PathKind.FILE:
            hints[errno.ENOENT] = f"{directory} is a file, not a directory"
    hint = hints.get(exc.errno or 0)
    return LrcliError(f"cannot write {where}: {exc.strerror or exc}" + (f"; {hint}" if hint else ""))


def _same_file(info: os.stat_result, inputs: Iterable[FileRead]) -> FileRead | None:
    return next((read for read in inputs if (read.device, read.inode) == (info.st_dev, info.st_ino)), None)


def write_output(given: str, chunks: Iterable[bytes], *, binary: bool, inputs: Iterable[FileRead] = ()) -> Path:
    """Write `chunks` to the file `-o given` names (see the module docstring); the path written is returned.

    `binary` (PNG, PDF) refuses a terminal; `inputs` are the files this command read, never to be overwritten.
    `chunks` is consumed only once the destination is known to be writable: rendering can stream into it.
    """
    _check_name(given, Path(given))
    path, in_place = _destination(given)
    _check_name(given, path)
    inputs = list(inputs)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _write_error(given, path, exc) from None
    if info is not None:
        read = _same_file(info, inputs)
        if read is not None:
            raise LrcliError(
                f"refusing to write {shown(given)}: this command reads that file ({shown(read.path)}); "
                "choose another output name"
            )
        if stat.S_ISDIR(info.st_mode):
            raise LrcliError(f"cannot write {shown(given)}: it is a directory; give a file name in it")
        if not stat.S_ISREG(info.st_mode):
            in_place = True
    if in_place:
        _write_in_place(given, path, chunks, binary=binary)
    else:
        _replace(given, path, chunks, info)
    return path


def _check_name(given: str, path: Path) -> None:
    size = len(os.fsencode(path.name))
    if size > NAME_MAX:
        raise LrcliError(
            f"cannot write {shown(given)}: the file name is {size} bytes long, more than the {NAME_MAX} a file system "
            "allows; choose a shorter name"
        )


def _write_in_place(given: str, path: Path, chunks: Iterable[bytes], *, binary: bool) -> None:
    """A device, a FIFO or a file this process has open: opened (non-blocking, so a FIFO without a reader fails
    instead of hanging) and written as it is."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | os.O_CLOEXEC)
    except OSError as exc:
        raise _write_error(given, path, exc) from None
    try:
        if binary and os.isatty(fd):
            raise LrcliError(f"refusing to write binary data to a terminal ({shown(given)}); use -o FILE")
        os.set_blocking(fd, True)
        _write_all(given, path, fd, chunks)
    finally:
        os.close(fd)


def _write_all(given: str, path: Path, fd: int, chunks: Iterable[bytes]) -> None:
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
    except OSError as exc:
        raise _write_error(given, path, exc) from None


def _replace(given: str, path: Path, chunks: Iterable[bytes], old: os.stat_result | None) -> None:
    """Write a temporary file beside `path`, then rename it over `path`; on any failure or interrupt remove it."""
    import tempfile  # here: a run that only prints (`lrcli steps`) never pays for its import

    directory = path.parent
    mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask()
    temporary: str | None = None
    try:
        with _signals_held():  # created and remembered as one step: an interrupt cannot fall between the two
            try:
                fd, temporary = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=directory)
            except OSError as exc:
                raise _write_error(given, path, exc) from None
        try:
            _write_all(given, path, fd, chunks)
            os.fchmod(fd, mode)
            if old is not None and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(fd, old.st_uid, old.st_gid)  # only root may: others keep the mode alone
                except OSError:
                    pass
        finally:
            os.close(fd)
        with _signals_held():  # renamed and forgotten as one step: the finished file is never removed
            try:
                os.replace(temporary, path)
            except OSError as exc:
                raise _write_error(given, path, exc) from None
            temporary = None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


__all__ = ["NAME_MAX", "write_output"]
