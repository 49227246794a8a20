"""Which transformers rules apply when `--transformers-version` is not given: the transformers installed in lrcli's own
Python environment (its installed version, as importlib.metadata finds it; transformers is never imported), unless
the config's framework requires another one; else the newest rules lrcli knows.

`LRCLI_IGNORE_INSTALLED=1` makes lrcli ignore the environment, so that the same command gives the same answer on
every machine (the test suite sets it; docs examples and CI scripts can too).
"""

from __future__ import annotations

import os
import re
import sys
from typing import NamedTuple

from lrcli.config import Layer, Source, TrainConfig

IGNORE_VARIABLE = "LRCLI_IGNORE_INSTALLED"
NEWEST_RULES = TrainConfig.transformers_version  # the newest transformers line whose rules lrcli has checked
INSTALLED = "installed"  # the Source words of a version read from the environment


class Requirement(NamedTuple):
    """The transformers a framework release declares in its package metadata (`Requires-Dist`), and the version
    lrcli plans with when the installed transformers does not satisfy it (or none is installed)."""

    framework: str  # "LLaMA-Factory 0.9.5"
    specifier: str  # PEP 440 specifier set, as in the metadata: ">=4.55.0,<=5.6.0,!=4.52.0,!=4.57.0"
    version: str  # the version planned with otherwise: the newest the specifier allows


def installed_version(distribution: str) -> str | None:
    """The version of `distribution` installed beside lrcli, or None (not installed, or LRCLI_IGNORE_INSTALLED set)."""
    if os.environ.get(IGNORE_VARIABLE, "") not in ("", "0"):
        return None
    listed = _listed_version(distribution)
    if listed is not _UNSURE:
        return listed
    import importlib.metadata  # here: its import (email parsing, ~10 ms) is paid only when the listing cannot tell

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


_UNSURE = object()


def _listed_version(distribution: str) -> str | None | object:
    """The version importlib.metadata would find, from the directory listings of sys.path alone: it takes the first
    path entry holding `<name>-<version>.dist-info` (the installers write the version into the name), so a single
    such entry there is the answer and none anywhere means not installed. Anything else (an .egg-info, two
    candidates in one place, a zip on sys.path) is _UNSURE: importlib.metadata then reads the metadata itself."""
    wanted = _normalized(distribution)
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except NotADirectoryError:
            return _UNSURE  # a zip archive: importlib.metadata looks inside
        except OSError:
            continue
        found = [name.rsplit(".", 1) for name in names if name.lower().endswith((".dist-info", ".egg-info"))]
        found = [(stem, suffix) for stem, suffix in found if _normalized(stem.partition("-")[0]) == wanted]
        if not found:
            continue
        stem, suffix = found[0]
        version = stem.partition("-")[2]
        return version if len(found) == 1 and suffix.lower() == "dist-info" and version else _UNSURE
    return None


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()  # as importlib.metadata compares names (PEP 503, `-` as `_`)


def _satisfies(version: str, specifier: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        return SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def transformers_layers(required: Requirement | None) -> list[Layer]:
    """The transformers version the run is planned with, as a layer: the installed transformers when it satisfies
    the framework's requirement (or there is none), else the newest version the requirement allows, else the newest
    rules lrcli knows. Its Source says why, e.g. `installed`. The flag, applied later, overrides it."""
    installed = installed_version("transformers")
    if installed is not None and (required is None or _satisfies(installed, required.specifier)):
        return [Layer({"transformers_version": installed}, Source("environment", INSTALLED))]
    if required is not None:
        why = f"the newest {required.framework} allows"
        if installed is not None:
            why += f"; the installed {installed} is outside its range"
        return [Layer({"transformers_version": required.version}, Source.default(why))]
    why = f"{IGNORE_VARIABLE} is set" if os.environ.get(IGNORE_VARIABLE, "") not in ("", "0") else "none installed"
    return [Layer({"transformers_version": NEWEST_RULES}, Source.default(f"the newest lrcli knows; {why}"))]
