"""An environment without PySide6 (an install ``--no-deps``) is told so, with the command.

Before, every ImportError of Qt's binding was said to be a missing system library, with
a list of apt and dnf packages, none of which installs a Python package.
"""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from xraygui.__main__ import PYSIDE6, SYSTEM_LIBRARIES, qt_import_problem

REPO = Path(__file__).resolve().parents[2]
# -I -S: neither this environment's site-packages nor PYTHONPATH, only the standard library.
APP = (
    f"import runpy, sys; sys.path.insert(0, {str(REPO)!r}); "
    "runpy.run_module('xraygui', run_name='__main__')"
)


def test_the_app_without_pyside6_says_which_package_to_install():
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", APP, "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("xraygui: the Python package PySide6 is not installed (No module named")
    assert f'"{sys.executable}" -m pip install {PYSIDE6}' in line
    assert "apt install" not in line


def test_missing_shiboken6_is_the_same_package():
    line = qt_import_problem(ModuleNotFoundError("No module named 'shiboken6'", name="shiboken6"))
    assert line.startswith("xraygui: the Python package PySide6 is not installed")


def test_a_binding_that_cannot_load_a_library_still_names_the_libraries():
    error = ImportError("libEGL.so.1: cannot open shared object file", name="PySide6.QtGui")
    assert qt_import_problem(error) == (
        f"xraygui: Qt cannot start: libEGL.so.1: cannot open shared object file. {SYSTEM_LIBRARIES}"
    )


def test_the_package_named_is_the_one_pinned():
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert PYSIDE6 in project["project"]["dependencies"]
    assert PYSIDE6 in (REPO / "constraints.txt").read_text("utf-8").splitlines()


def test_the_app_without_torch_says_which_package_is_missing():
    # PySide6 loads, the window's modules do not: one line, not a traceback.
    hide_torch = "import sys; sys.modules['torch'] = None; "
    done = subprocess.run(
        [sys.executable, "-c", hide_torch + APP.replace("import runpy, sys; ", "import runpy; ")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 1  # as where Qt cannot start
    (line,) = done.stderr.splitlines()
    assert line.startswith("xraygui: missing dependency torch: reinstall xray-denoise")
