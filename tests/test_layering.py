"""``core`` is a library without a GUI: importing it must not load Qt or the app."""

import subprocess
import sys

FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy", "xraygui")


def test_importing_core_loads_neither_qt_nor_the_app():
    modules = [
        "core",
        "core.image",
        "core.errors",
        "core.metrics",
        "core.io",
        "core.display",
        "core.noise",
        "core.cli",
        "core.diffusion",
        "core.training",
        "core.denoise",
        "core.device",
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
