"""`.pre-commit-hooks.yaml`: `pre-commit try-repo <this repository> lrcli-check --files <config>` builds lrcli in
pre-commit's own isolated environment and fails on a bad config (issue 13). Offline: the environment is built from
a local wheelhouse of lrcli's dependencies (`pip wheel` once into ~/.cache/lrcli/wheelhouse, with pip's configured
index), with PIP_NO_INDEX set for pre-commit's pip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lrcli" / "wheelhouse"


def _wheelhouse() -> Path:
    """lrcli's dependencies (and the build backend) as wheels; fetched once through pip's configured index."""
    marker = WHEELHOUSE / "ready"
    if not marker.exists():
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", str(ROOT), "setuptools>=68", "wheel", "-w",
                        str(WHEELHOUSE)], check=True, timeout=900)
        for stale in WHEELHOUSE.glob("lrcli-*.whl"):  # pre-commit builds lrcli from the repository itself
            stale.unlink()
        marker.write_text("")
    return WHEELHOUSE


def test_pre_commit_try_repo_runs_the_hook(tmp_path):
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert pre_commit, "pre-commit is in the test extra"
    work = tmp_path / "project"
    work.mkdir()
    (work / "bad.yaml").write_text("output_dir: out\nmax_steps: 100\nwarmup_steps: 200\n")
    (work / "good.yaml").write_text("output_dir: out\nmax_steps: 100\nwarmup_steps: 10\n")
    (work / "workflow.yml").write_text("on: push\njobs: {}\n")  # not a training config: skipped
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(_wheelhouse()), "GIT_CONFIG_GLOBAL": os.devnull, "LRCLI_IGNORE_INSTALLED": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    env.pop("PIP_EXTRA_INDEX_URL", None)
    subprocess.run(["git", "init", "-q", str(work)], check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=work, check=True, env=env)

    def run(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "try-repo", str(ROOT), "lrcli-check", "--files", *files], cwd=work,
                              env=env, capture_output=True, text=True, timeout=600)

    # one run (building pre-commit's environment is most of this test's time): the bad config fails the hook,
    # its good twin has no error or warning, the workflow file is skipped
    done = run("bad.yaml", "good.yaml", "workflow.yml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bad.yaml:3:1: error LR001" in done.stdout, done.stdout
    assert not [line for line in done.stdout.splitlines() if line.startswith("good.yaml") and " info " not in line]
    assert "workflow.yml" not in done.stdout and "2 configs checked" in done.stdout, done.stdout


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
