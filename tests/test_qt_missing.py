"""The app's entry point when Qt cannot load (a minimal Linux without libGL): one line."""

import subprocess
import sys

MISSING_QT = (
    "import runpy, sys; sys.modules['PySide6.QtWidgets'] = None; "
    "runpy.run_module('xraygui', run_name='__main__')"
)


def test_qt_that_cannot_load_is_one_line_naming_the_libraries():
    done = subprocess.run(
        [sys.executable, "-c", MISSING_QT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("xraygui: Qt cannot start: ")
    assert "apt install libgl1 libegl1" in lines[0]
