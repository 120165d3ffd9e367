"""The smoke test without a model says why and exits 1: its jobs end before the process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from pathlib import Path
import core.denoise.models, core.resources, xraygui.models
missing = Path(sys.argv[1])
for module in (core.resources, core.denoise.models, xraygui.models):
    module.default_model_path = lambda: missing
from xraygui.__main__ import main
sys.exit(main(["--smoke-test", "--report-dir", sys.argv[2]]))
"""


@pytest.mark.slow
def test_a_missing_shipped_model_fails_the_smoke_test_cleanly(tmp_path):
    missing = tmp_path / "gone" / "xray-diffusion.safetensors"
    # This checkout's core and xraygui, whatever an installed copy of the project points at.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(missing), str(tmp_path / "report")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "smoke test FAILED: no model installed" in done.stderr
    assert "QThread: Destroyed" not in done.stderr
