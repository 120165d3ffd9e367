"""dev.py and a .venv without pip (Debian/Ubuntu's `python3 -m venv` without python3-venv)."""

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def checkout(tmp_path):
    """A copy of dev.py and its install inputs, with a `.venv` whose Python has no pip."""
    for name in ("dev.py", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path)
    venv.EnvBuilder(with_pip=False).create(tmp_path / ".venv")
    return tmp_path


def _load_dev(checkout):
    spec = importlib.util.spec_from_file_location("dev_in_checkout", checkout / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _has_pip(python):
    return subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode


@pytest.mark.slow
def test_a_venv_without_pip_gets_it_from_ensurepip_and_is_kept(checkout):
    dev = _load_dev(checkout)
    assert _has_pip(dev.PYTHON) != 0
    kept = dev.VENV / "kept"
    kept.write_text("")
    dev._ensure_pip(fresh=False)
    assert _has_pip(dev.PYTHON) == 0
    assert kept.exists()


def test_without_ensurepip_dev_py_says_in_one_line_to_install_python3_venv(checkout):
    disabled = checkout / "no-ensurepip" / "ensurepip"  # what Debian ships without python3-venv
    disabled.mkdir(parents=True)
    (disabled / "__init__.py").write_text("")
    (disabled / "__main__.py").write_text(
        'import sys; sys.exit("ensurepip is disabled in Debian/Ubuntu for the system python.")\n'
    )
    done = subprocess.run(
        [sys.executable, "dev.py", "run", "--help"],
        cwd=checkout,
        env=dict(os.environ, PYTHONPATH=str(disabled.parent)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Installing" not in done.stdout
    [line] = done.stderr.splitlines()
    assert line.startswith(f"dev.py: cannot put pip into {checkout / '.venv'}: ")
    assert "install python3-venv (Debian/Ubuntu: sudo apt install python3." in line
