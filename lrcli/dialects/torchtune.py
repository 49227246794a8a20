"""The torchtune config dialect (stub: to be implemented)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.dialects.reading import Reading
from lrcli.errors import LrcliError

NAME = "torchtune"


def claims(raw: Mapping[str, Any]) -> int:
    return 0


def read(raw: Mapping[str, Any], path: Path) -> Reading:
    raise LrcliError(f"{path}: reading torchtune configs is not implemented yet")
