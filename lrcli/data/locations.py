"""Where the Hugging Face caches and lrcli's own answer cache live, read from the environment at call time.

The rules are huggingface_hub's (`constants.py`: HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface;
HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE, else HF_HOME/hub; HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE) and
datasets' (`config.py`: HF_DATASETS_CACHE, else HF_HOME/datasets). They are recomputed on each call rather than taken
from those libraries' import-time constants, so a changed environment (a test, a wrapper script) is honoured.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

TRUE_VALUES = {"1", "ON", "YES", "TRUE"}  # huggingface_hub ENV_VARS_TRUE_VALUES
PUBLIC_HUB = "https://huggingface.co"
PUBLIC_VIEWER = "https://datasets-server.huggingface.co"


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _expand(path: str) -> Path:
    return Path(os.path.expandvars(os.path.expanduser(path)))


def hf_home(environ: Mapping[str, str] | None = None) -> Path:
    env = _env(environ)
    xdg = env.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
    return _expand(env.get("HF_HOME", os.path.join(xdg, "huggingface")))


def hub_cache(environ: Mapping[str, str] | None = None) -> Path:
    env = _env(environ)
    legacy = env.get("HUGGINGFACE_HUB_CACHE", str(hf_home(env) / "hub"))
    return _expand(env.get("HF_HUB_CACHE", legacy))


def datasets_cache(environ: Mapping[str, str] | None = None) -> Path:
    env = _env(environ)
    return _expand(env.get("HF_DATASETS_CACHE", str(hf_home(env) / "datasets")))


def hub_offline(environ: Mapping[str, str] | None = None) -> bool:
    env = _env(environ)
    flag = env.get("HF_HUB_OFFLINE") or env.get("TRANSFORMERS_OFFLINE")
    return bool(flag) and flag.upper() in TRUE_VALUES


def hub_endpoint(environ: Mapping[str, str] | None = None) -> str:
    return _env(environ).get("HF_ENDPOINT", PUBLIC_HUB).rstrip("/")


def viewer_endpoint(environ: Mapping[str, str] | None = None) -> str | None:
    """The dataset viewer (datasets-server) API, which serves only the public Hub: None for another HF_ENDPOINT
    unless LRCLI_DATASET_VIEWER names one (a mirror that serves the viewer's /size, or a test's stand-in)."""
    env = _env(environ)
    if env.get("LRCLI_DATASET_VIEWER"):
        return env["LRCLI_DATASET_VIEWER"].rstrip("/")
    return PUBLIC_VIEWER if hub_endpoint(env) == PUBLIC_HUB else None


def lrcli_cache(environ: Mapping[str, str] | None = None) -> Path:
    """lrcli's user cache directory: LRCLI_CACHE_DIR, else the platform's user cache dir + /lrcli."""
    env = _env(environ)
    if env.get("LRCLI_CACHE_DIR"):
        return _expand(env["LRCLI_CACHE_DIR"])
    if sys.platform == "win32":
        base = env.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return Path(base) / "lrcli" / "Cache"
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~")) / "Library" / "Caches" / "lrcli"
    return _expand(env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")) / "lrcli"
