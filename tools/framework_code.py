"""Pieces of a framework's own source, run as written: one function or class lifted out of a downloaded package's
file (so that a generator need not import the whole framework and its dependencies), and axolotl's config dict."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any


def extract(path: Path, name: str, namespace: dict[str, Any], class_name: str | None = None) -> Any:
    """Function or class `name` (or method `class_name.name`) of source file `path`, executed in `namespace` as
    written."""
    tree = ast.parse(path.read_text())
    body = tree.body
    if class_name is not None:
        body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == class_name).body
    node = next(n for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name)
    node.decorator_list = []
    module = ast.Module(body=[node], type_ignores=[])
    exec(compile(module, str(path), "exec"), namespace)  # noqa: S102 - the framework's own source
    return namespace[name]


class Cfg(dict):
    """axolotl's DictDefault: attribute access, None for a missing key."""

    def __getattr__(self, key: str) -> Any:
        return self.get(key)

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value
