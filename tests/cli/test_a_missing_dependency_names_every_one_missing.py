"""Where several packages the command line needs are missing, one line names them all.

Before, an install ``--no-deps`` without torch and pydicom said only
``missing dependency pydicom``: once that was installed, the next run said torch.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from core.cli import PIP_NAMES, REINSTALL, REQUIRED_MODULES, dependency_problem

REPO = Path(__file__).resolve().parents[2]
BLOCKED = ("torch", "pydicom")
# This environment, less the blocked packages: a finder before the others refuses them.
CLI = f"""
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {BLOCKED!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Blocked())
sys.path.insert(0, {str(REPO)!r})
from core.cli import main
sys.exit(main())
"""


@pytest.mark.parametrize("args", [["--help"], ["denoise", "--help"], ["info", "x.png"]])
def test_every_missing_dependency_is_named_in_one_line(args):
    done = subprocess.run(
        [sys.executable, "-c", CLI, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"xray-denoise: error: missing dependencies pydicom, torch: {REINSTALL}\n"
    )


def test_a_broken_package_is_said_with_those_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "skimage", None)  # not installed, as far as imports go
    monkeypatch.setitem(sys.modules, "tifffile", None)
    error = ImportError("cannot import name 'x' from 'numpy'", name="numpy")
    assert dependency_problem(error) == (
        "package numpy is installed but cannot be imported (cannot import name 'x' from "
        "'numpy'); missing dependencies skimage (pip package scikit-image), tifffile: "
        f"{REINSTALL}"
    )


def test_the_modules_named_are_those_of_the_dependencies_but_the_apps():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    packages = {re.match(r"[\w.-]+", spec)[0].lower() for spec in project["dependencies"]}
    modules = {package.lower(): module for module, package in PIP_NAMES.items()}
    app_only = {"pyside6-essentials", "pyqtgraph", "platformdirs"}
    needed = {modules.get(package, package) for package in packages - app_only}
    assert needed == set(REQUIRED_MODULES)
