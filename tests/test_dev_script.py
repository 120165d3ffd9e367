"""dev.py, the README's two commands: what it installs agrees with pyproject.toml."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dev  # noqa: E402


def test_the_build_backend_installed_into_the_venv_is_pyprojects():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    build_system = pyproject.split("[build-system]", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^requires = \["([^"]+)"\]', build_system, re.M)[1] == dev.BUILD_BACKEND
