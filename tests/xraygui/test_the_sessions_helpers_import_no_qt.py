"""The main window's Qt-free helpers (:mod:`xraygui.session`) import neither Qt nor the GUI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
CODE = """
import sys
import xraygui.session
print(sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph")))
"""


def test_importing_the_sessions_helpers_loads_no_qt():
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
    assert result.stdout.strip() == "[]"
