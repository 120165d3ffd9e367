"""``core`` is a library without a GUI: importing it must not load Qt or the app."""

import ast
import os
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy", "xraygui")
ROOT = Path(__file__).resolve().parents[1]
RUNS_ON_IMPORT = ("core.cli.__main__",)
"""Modules that do their work when imported (``sys.exit(main())``): not imported here."""

# In a fresh process: every module of core is imported, and every attempt to import a
# forbidden package is recorded (one caught by a try/except included), with what was loaded.
CODE = f"""
import importlib, importlib.abc, pkgutil, sys
forbidden = {FORBIDDEN!r}
tried = set()

class Recorder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in forbidden:
            tried.add(name)
        return None

sys.meta_path.insert(0, Recorder())
import core

def refuse(name):
    raise ImportError(f"cannot import {{name}}")

names = ["core"] + [
    module.name
    for module in pkgutil.walk_packages(core.__path__, "core.", onerror=refuse)
    if module.name not in {RUNS_ON_IMPORT!r}
]
for name in names:
    importlib.import_module(name)
loaded = {{m for m in sys.modules if m.split(".")[0] in forbidden}}
print(len(names), "core.io.csv_cells" in names, "core.training.__main__" in names)
print(sorted(tried | loaded))
"""


def test_importing_any_module_of_core_loads_neither_qt_nor_the_app():
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    counted, attempted = result.stdout.strip().splitlines()
    count, has_csv_cells, has_training_main = counted.split()
    assert int(count) > 80 and has_csv_cells == has_training_main == "True"  # all were found
    assert attempted == "[]"


def test_the_modules_left_out_import_neither_qt_nor_the_app():
    for name in RUNS_ON_IMPORT:
        path = (ROOT / Path(*name.split("."))).with_suffix(".py")
        imported = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        assert imported and not {m for m in imported if m.split(".")[0] in FORBIDDEN}, name
