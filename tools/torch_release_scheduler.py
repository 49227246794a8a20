"""Run a golden generator with another torch release's own `torch/optim/lr_scheduler.py` over the installed torch.

The schedulers lrcli mirrors are pure Python (`torch/optim/lr_scheduler.py`) over the optimizer's param_groups; the
CPU wheel of a newer torch may not install beside the pinned 2.13.0 (or at all on this machine), but its scheduler
module runs on the installed torch as long as the optimizer base it reads is unchanged. This wrapper fetches that one
file from the release's wheel on PyPI (any platform's wheel carries the same Python source; the macOS arm64 wheel is
the smallest), loads it as `torch.optim.lr_scheduler` before anything imports it, and runs the generator script:

    python tools/torch_release_scheduler.py 2.15.0 tools/gen_torch_golden.py
    python tools/torch_release_scheduler.py 2.15.0 tools/gen_hf_golden.py   # transformers' LambdaLR from 2.15.0

The generators record the module's release in their JSON (`torch_lr_scheduler`), so a golden says which scheduler
code produced it. The file is cached under tools/framework_sources.py's cache root as `torch-<version>/torch/optim/`.
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from framework_sources import DOWNLOAD_TIMEOUT, cache_root  # noqa: E402

MEMBER = "torch/optim/lr_scheduler.py"
RELEASE_ATTRIBUTE = "__lrcli_release__"  # set on the swapped module: the torch release its source came from
# A wheel that carries the pure-Python sources; the Linux x86_64 ones are CUDA builds of close to a gigabyte.
WHEEL_PLATFORM = ("--platform", "macosx_14_0_arm64", "--python-version", "3.12", "--only-binary", ":all:")


def scheduler_source(version: str) -> Path:
    """torch==`version`'s `torch/optim/lr_scheduler.py`, fetched from its wheel once and cached."""
    target = cache_root() / f"torch-{version}" / MEMBER
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".wheel.") as tmp:
        # The machine's pip constraints may cap torch at the release on its disk; this download installs nothing.
        env = dict(os.environ, PIP_CONSTRAINT="/dev/null")
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                   *WHEEL_PLATFORM, "--dest", tmp, f"torch=={version}"]  # fmt: skip
        subprocess.run(command, check=True, timeout=DOWNLOAD_TIMEOUT, capture_output=True, env=env)
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            partial = Path(tmp) / "lr_scheduler.py"
            partial.write_bytes(archive.read(MEMBER))
        partial.replace(target)
    return target


def use_scheduler_release(version: str) -> None:
    """Make `torch.optim.lr_scheduler` (and `from torch.optim.lr_scheduler import X`) the module of torch==`version`."""
    import torch.optim

    source = scheduler_source(version)
    spec = importlib.util.spec_from_file_location("torch.optim.lr_scheduler", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["torch.optim.lr_scheduler"] = module
    spec.loader.exec_module(module)
    setattr(module, RELEASE_ATTRIBUTE, version)
    torch.optim.lr_scheduler = module


def release_of(module: object, installed: str) -> str:
    """The torch release whose scheduler source `module` is: the swapped one, else the installed torch's."""
    return getattr(module, RELEASE_ATTRIBUTE, installed)


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit("usage: torch_release_scheduler.py TORCH_VERSION SCRIPT [ARGS...]")
    version, script, *rest = argv
    use_scheduler_release(version)
    sys.argv = [script, *rest]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
