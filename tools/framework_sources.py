"""The framework sources the golden generators and the oracle tests read, fetched from PyPI into a cache once.

Nothing is installed: `pip download --no-deps` fetches the pinned release (a wheel, or DeepSpeed's sdist) and it is
unpacked into `$LRCLI_SOURCES_CACHE` (default `~/.cache/lrcli/framework-sources`), one folder per release, so the
tests read the frameworks' own code (schedulers, step counts, loaders) without their heavy dependencies.

    python tools/framework_sources.py          # fetch every pinned source (the tests also fetch on first use)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# name -> (PyPI project, version, the top-level package inside the archive)
PINNED: dict[str, tuple[str, str, str]] = {
    "deepspeed": ("deepspeed", "0.19.8", "deepspeed"),
    "axolotl": ("axolotl", "0.19.0", "axolotl"),
    "axolotl-0.20": ("axolotl", "0.20.0", "axolotl"),
    "axolotl-0.21": ("axolotl", "0.21.0", "axolotl"),
    "trl": ("trl", "1.16.0", "trl"),
    "trl-0.24": ("trl", "0.24.0", "trl"),
    "trl-0.11": ("trl", "0.11.4", "trl"),
    "llamafactory": ("llamafactory", "0.9.5", "llamafactory"),
    # torchtitan's scheduler code of every modelled release (tools/gen_torchtitan_golden.py)
    **{f"torchtitan-{v}": ("torchtitan", v, "torchtitan") for v in ("0.1.0", "0.2.0", "0.2.1", "0.2.2", "0.3.0")},
    # Megatron-Core: the oldest line modelled (WSD without minus_sqrt), the first with it, the newest on Python 3.11,
    # the last with --rampup-batch-size (its training.py: the ramp-up branch), the first with
    # --step-batch-size-schedule, the newest (0.17+ wheels need Python >= 3.12: fetched as such, only read)
    **{f"megatron-core-{v}": ("megatron-core", v, "megatron/core") for v in ("0.12.3", "0.13.1", "0.16.1", "0.17.1",
                                                                              "0.18.2", "0.19.2")},
    "verl": ("verl", "0.9.1", "verl"),
    "verl-0.8": ("verl", "0.8.0", "verl"),
    "verl-0.7": ("verl", "0.7.1", "verl"),
    "verl-0.5": ("verl", "0.5.0", "verl"),
    "ms-swift": ("ms-swift", "4.6.0", "swift"),
    "ms-swift-3": ("ms-swift", "3.12.6", "swift"),
    "torchtune-recipes": ("torchtune", "0.6.1", "recipes"),  # the recipes' own checks (lrcli check LR704)
    "torchtune": ("torchtune", "0.6.1", "torchtune"),  # DiskLogger and its LR schedulers (tools/gen_overlay_logs.py)
    # both sides of each TrainingArguments key lrcli reads that only some versions have (steps.hf_versions.KEY_VERSIONS)
    **{f"transformers-{v}": ("transformers", v, "transformers") for v in ("4.35.2", "4.36.0", "4.37.2", "4.38.0",
                                                                         "5.14.1", "5.15.0")},
}
# name -> (PyPI project, version) of releases whose source distribution carries files the wheel leaves out
# (LLaMA-Factory's bundled demo data/ and its dataset_info.json).
SDISTS: dict[str, tuple[str, str]] = {
    "llamafactory": ("llamafactory", "0.9.5"),
}
# (PyPI project, version) -> extra `pip download` options: megatron-core 0.17+ declares Requires-Python >= 3.12 and
# ships binary wheels only; its Python files are only read, so the 3.12 wheel is fetched whatever Python runs the tests.
PIP_OPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    **{("megatron-core", v): ("--python-version", "3.12", "--only-binary=:all:") for v in ("0.17.1", "0.18.2",
                                                                                          "0.19.2")},
}
DOWNLOAD_TIMEOUT = 600  # seconds for one `pip download`
PY312_WHEEL = ("--python-version", "3.12", "--only-binary=:all:")


def cache_root() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lrcli" / "framework-sources"
    return Path(os.environ.get("LRCLI_SOURCES_CACHE", default))


def package_dir(name: str) -> Path:
    """The directory of the pinned framework's top-level package (e.g. `.../trl-1.16.0/trl`), fetched if missing."""
    project, version, package = PINNED[name]
    return release_dir(project, version, package)


def release_dir(project: str, version: str, package: str) -> Path:
    """The top-level package of any release of `project` (e.g. every TRL line tools/gen_trl_defaults.py reads),
    fetched if missing."""
    release = cache_root() / f"{project}-{version}"
    found = _find_package(release, package)
    if found is None:
        _fetch(project, version, release)
        found = _find_package(release, package)
    if found is None:
        raise FileNotFoundError(f"{project}=={version} unpacked into {release} has no {package}/ package")
    return found


def sdist_dir(name: str) -> Path:
    """The unpacked source distribution of SDISTS[name] (e.g. `.../llamafactory-0.9.5-sdist/llamafactory-0.9.5`),
    fetched if missing."""
    project, version = SDISTS[name]
    release = cache_root() / f"{project}-{version}-sdist"
    found = release / f"{project}-{version}"
    if not found.is_dir():
        _fetch(project, version, release, sdist=True)
    if not found.is_dir():
        raise FileNotFoundError(f"{project}=={version} sdist unpacked into {release} has no {found.name}/")
    return found


def _find_package(release: Path, package: str) -> Path | None:
    """`release/package` for a wheel, `release/<project>-<version>/package` for an sdist."""
    if not release.is_dir():
        return None
    for candidate in (release / package, *(child / package for child in sorted(release.iterdir()) if child.is_dir())):
        if (candidate / "__init__.py").is_file():
            return candidate
    return None


def _fetch(project: str, version: str, release: Path, *, sdist: bool = False) -> None:
    """Download and unpack into a temporary folder beside `release`, then rename it into place, so that an
    interrupted fetch never leaves a half-unpacked release that looks complete."""
    release.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=release.parent, prefix=f".{project}-{version}.") as tmp:
        archives = Path(tmp) / "archives"
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                   *(["--no-binary", ":all:"] if sdist else []), *PIP_OPTIONS.get((project, version), ()),
                   "--dest", str(archives), f"{project}=={version}"]
        try:
            subprocess.run(command, check=True, timeout=DOWNLOAD_TIMEOUT, capture_output=True)
        except subprocess.CalledProcessError:
            if sdist or (project, version) in PIP_OPTIONS:
                raise
            # axolotl 0.20+ ships Python 3.12-only wheels: the source is read, not run, so take that wheel here.
            subprocess.run([*command[:-1], *PY312_WHEEL, command[-1]], check=True, timeout=DOWNLOAD_TIMEOUT,
                           capture_output=True)
        unpacked = Path(tmp) / "unpacked"
        for archive in archives.iterdir():
            if archive.suffix == ".whl":
                with zipfile.ZipFile(archive) as wheel:
                    wheel.extractall(unpacked)
            elif archive.name.endswith(".tar.gz"):
                with tarfile.open(archive) as sdist:
                    sdist.extractall(unpacked, filter="data")
        if release.exists():  # another process finished first
            return
        shutil.move(str(unpacked), str(release))


if __name__ == "__main__":
    for key in sys.argv[1:] or PINNED:
        print(f"{key}: {package_dir(key)}")
    if not sys.argv[1:]:
        for key in SDISTS:
            print(f"{key} sdist: {sdist_dir(key)}")
