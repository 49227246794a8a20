"""Which release of a framework a config is read for: `--trainer NAME@VERSION` (a pin), else the framework's
distribution installed beside lrcli (its package metadata, read with importlib.metadata; the framework is never
imported; `LRCLI_IGNORE_INSTALLED=1` ignores it), else the newest release lrcli models. The chosen version becomes
the `framework_version` setting, with its Source.

A dialect keeps its framework's rules as lines: the first minor release of each run of releases whose rules are
the same. `release_line` maps any version to its line (a patch release shares its minor line's rules).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from lrcli.config import Source
from lrcli.errors import LrcliError, shown
from lrcli.inputs.installed import IGNORE_VARIABLE, installed_version


class Release(NamedTuple):
    """The framework release whose rules apply, and why that one."""

    version: str  # as pinned or installed ("1.16", "0.24.0"), or the newest modelled
    source: Source


def split_pin(text: str) -> tuple[str, str | None]:
    """`sft@1.16` -> ("sft", "1.16"); `sft` -> ("sft", None); `@0.21` -> ("", "0.21") (a framework with one trainer).
    The name is lower-cased with `-` read as `_` (`online-dpo`)."""
    name, at, version = text.strip().partition("@")
    name = name.strip().lower().replace("-", "_")
    if at and not version.strip():
        raise LrcliError(f"--trainer {shown(text)}: write the version after @, e.g. sft@1.16")
    return name, version.strip() or None


def minor_of(version: str, where: str) -> tuple[int, int]:
    """(major, minor) of a version as pip reads it: `0.11`, `v0.11.4`, `1.16.0rc1`."""
    try:
        return (*Version(version).release, 0)[:2]
    except InvalidVersion:
        raise LrcliError(f"{where}: {shown(version)} is not a version; write it like 1.16 or 0.24.0") from None


def release_line(version: str, lines: Sequence[str], framework: str, where: str) -> tuple[str, tuple[str, ...]]:
    """The line (an item of `lines`, oldest first, each a `major.minor`) whose rules `version` follows, and a note
    when `version` is newer than the newest line lrcli models (its rules are assumed unchanged)."""
    minor = minor_of(version, where)
    firsts = [minor_of(line, "lrcli") for line in lines]
    if minor < firsts[0]:
        raise LrcliError(f"{where}: lrcli models {framework} from {lines[0]} on; {shown(version)} is older")
    line = [name for name, first in zip(lines, firsts, strict=True) if first <= minor][-1]
    notes: tuple[str, ...] = ()
    if minor > firsts[-1]:
        notes = (f"{where}: {framework} {version} is newer than the newest release lrcli models ({lines[-1]}); "
                 f"using {lines[-1]}'s rules, which may have changed since",)
    return line, notes


def framework_release(distribution: str, newest: str, pinned: str | None, pin_source: Source) -> Release:
    """The release a run follows: the pin, else the installed `distribution`, else `newest`."""
    if pinned is not None:
        return Release(pinned, pin_source)
    installed = installed_version(distribution)
    if installed is not None:
        return Release(installed, Source("environment", f"installed {distribution} {installed}"))
    why = f"{IGNORE_VARIABLE} is set" if os.environ.get(IGNORE_VARIABLE, "") not in ("", "0") else "none installed"
    return Release(newest, Source.default(f"the newest {distribution} lrcli models; {why}"))
