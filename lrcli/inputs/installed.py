"""Which transformers rules apply when `--transformers-version` is not given: the transformers installed in lrcli's own
Python environment (read from its package metadata with importlib.metadata; transformers is never imported), unless
the config's framework requires another one; else the newest rules lrcli knows.

`LRCLI_IGNORE_INSTALLED=1` makes lrcli ignore the environment, so that the same command gives the same answer on
every machine (the test suite sets it; docs examples and CI scripts can too).
"""

from __future__ import annotations

import os
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
    import importlib.metadata  # here: its import (email parsing, ~20 ms) is paid only when the environment is read

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


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
