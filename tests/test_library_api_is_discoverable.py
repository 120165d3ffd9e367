"""``core`` names its entry points, and its modules say which of their names are public."""

import ast
import importlib
import inspect
import re

import pytest

import core

ROLE = re.compile(r":(?:func|class|mod|data):`~?([\w.]+)`")


def _resolve(dotted: str) -> object:
    """Import the longest module that `dotted` begins with, and get the rest from it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


def test_every_name_cores_docstring_gives_exists():
    names = ROLE.findall(core.__doc__)
    assert {"core.io.read_image", "core.denoise.denoise_steps", "core.cli.main"} <= set(names)
    for name in names:
        _resolve(name if name.startswith("core.") else f"core.{name}")


def _public_names_defined_in(module_name: str) -> set[str]:
    """The functions, classes and variables a module's top level defines, less private ones."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize("module_name", ["core.image", "core.metrics"])
def test_all_lists_every_public_name_the_module_defines(module_name):
    module = importlib.import_module(module_name)
    assert sorted(module.__all__) == sorted(_public_names_defined_in(module_name))
