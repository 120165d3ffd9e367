"""The programs have torch's OpenMP threads spin only briefly before they sleep; ``core`` alone not.

With the cores busy, GNU OpenMP's default spinning made the sample's denoise 1.6 times
slower (``benchmarks/results/2026-11-27-busy-machine/``). The setting must reach OpenMP,
which reads it once, when torch loads it: libgomp prints what it read under
``OMP_DISPLAY_ENV``. Each program sets it first (:func:`core.limit_openmp_spinning`);
before, importing any module of ``core`` set it, in a notebook that only read DICOMs too,
and so in every process that notebook started.
"""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from core import OPENMP_SPIN_COUNT

ROOT = Path(__file__).resolve().parent.parent
ENTRY_MODULES = ("core.cli.__main__", "core.training.__main__")
"""The modules of ``core`` that are programs: not imported by the library test."""


def _run(command: list[str], cwd: Path = ROOT, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    env |= {"OMP_DISPLAY_ENV": "VERBOSE", "QT_QPA_PLATFORM": "offscreen", **environment}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=300
    )


def _spin_count_read_by_openmp(command: list[str], **kwargs) -> str:
    lines = [
        line for line in _run(command, **kwargs).stderr.splitlines() if "GOMP_SPINCOUNT" in line
    ]
    if not lines:
        pytest.skip("torch's OpenMP is not GNU's: GOMP_SPINCOUNT does not apply")
    return lines[0].split("=", 1)[1].strip().strip("'")


def _console_script(name: str) -> str:
    script = Path(sysconfig.get_path("scripts")) / (name + (".exe" if os.name == "nt" else ""))
    if not script.is_file():
        pytest.skip(f"{name} is not installed (a source tree on the path)")
    return str(script)


@pytest.mark.slow
def test_the_command_sets_a_short_spin_before_torch_loads(tmp_path):
    image = tmp_path / "small.npy"
    np.save(image, np.random.default_rng(0).integers(0, 4096, (64, 64), dtype=np.uint16))
    command = [_console_script("xray-denoise"), "denoise", str(image), "--output-dir"]
    command += [str(tmp_path / "out"), "--device", "cpu", "--views", "1", "--threads", "1"]
    assert _spin_count_read_by_openmp(command) == str(OPENMP_SPIN_COUNT)


def test_the_app_sets_a_short_spin_before_torch_loads():
    command = [_console_script("xraygui"), "--version"]
    assert _spin_count_read_by_openmp(command) == str(OPENMP_SPIN_COUNT)


def test_a_training_run_sets_a_short_spin_before_torch_loads():
    command = [sys.executable, "-m", "core.training", "--help"]
    assert _spin_count_read_by_openmp(command) == str(OPENMP_SPIN_COUNT)


def test_the_bundle_sets_it_before_it_starts_a_worker_or_the_app():
    code = (
        "import os, sys; import xraygui.bundle_entry as entry; "
        "entry.run_without_qt = lambda argv: print(os.environ.get('GOMP_SPINCOUNT')) or 0; "
        "sys.exit(entry.main())"
    )
    assert _run([sys.executable, "-c", code]).stdout.strip() == str(OPENMP_SPIN_COUNT)


def test_a_spin_count_the_user_set_is_kept():
    command = [sys.executable, "-m", "core.training", "--help"]
    assert _spin_count_read_by_openmp(command, GOMP_SPINCOUNT="123") == "123"


def test_importing_core_as_a_library_leaves_the_environment_alone():
    code = f"""
import importlib, os, pkgutil
import core, core.io, core.denoise
print(os.environ.get("GOMP_SPINCOUNT"))
for module in pkgutil.walk_packages(core.__path__, "core."):
    if module.name not in {ENTRY_MODULES!r}:
        importlib.import_module(module.name)
print(os.environ.get("GOMP_SPINCOUNT"))
"""
    assert _run([sys.executable, "-c", code]).stdout.split() == ["None", "None"]
