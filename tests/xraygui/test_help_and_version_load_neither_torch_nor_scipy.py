"""``xraygui --help`` and ``--version`` answer without loading PyTorch or SciPy.

Before, ``xraygui/__main__.py`` imported the main window, hence PyTorch and SciPy (seconds),
before it read its arguments. ``--version`` still names the shipped model and PyTorch's
build, from their files and metadata.
"""

import subprocess
import sys

import pytest

PROBE = """
import sys
from xraygui.__main__ import main
try:
    main([{option!r}])
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print("LOADED", *sorted(name for name in ("torch", "scipy") if name in sys.modules))
"""


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_the_answer_loads_neither(option):
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(option=option)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "LOADED", done.stdout
    if option == "--version":
        assert lines[0].startswith("xraygui ")
        assert "model " in lines[0] and "torch " in lines[0]
