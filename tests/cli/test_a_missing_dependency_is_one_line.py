"""A package missing from the environment (an install ``--no-deps``) is one line, exit 2.

Before, ``core.cli`` imported every subcommand, and so numpy, pydicom and torch, on
import: ``xray-denoise --version`` died with a ``ModuleNotFoundError`` traceback although
it needs none of them, and so did every other command.
"""

import subprocess
import sys
from pathlib import Path

import pytest

import core.cli.info
from core.cli import REINSTALL, main

REPO = Path(__file__).resolve().parents[2]
# -I -S: neither this environment's site-packages nor PYTHONPATH, only the standard library.
BARE = [sys.executable, "-I", "-S", "-c"]
CLI = f"import sys; sys.path.insert(0, {str(REPO)!r}); from core.cli import main; sys.exit(main())"


def _bare(*args):
    return subprocess.run([*BARE, CLI, *args], capture_output=True, text=True, timeout=120)


def test_version_needs_no_dependency():
    done = _bare("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("xray-denoise ") and done.stderr == ""


@pytest.mark.parametrize("args", [["info", "x.png"], ["--help"]])
def test_a_command_without_its_dependencies_says_which_in_one_line(args):
    done = _bare(*args)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("xray-denoise: error: missing dependencies ")  # all of them
    assert all(f" {name}" in line for name in ("numpy", "pydicom", "torch"))
    assert line.endswith(f": {REINSTALL}")


def test_a_package_imported_when_first_needed_is_one_line(monkeypatch, capsys):
    def run(_args):
        raise ModuleNotFoundError("No module named 'skimage'", name="skimage")

    monkeypatch.setattr(core.cli.info, "run", run)
    monkeypatch.setitem(sys.modules, "skimage", None)  # not installed, as far as imports go
    assert main(["info", "x.png"]) == 2
    assert capsys.readouterr().err == (
        f"xray-denoise: error: missing dependency skimage (pip package scikit-image): {REINSTALL}\n"
    )


def test_a_module_of_ours_not_found_is_a_bug(monkeypatch, capsys):
    # A typo'd or renamed module of ours: no reinstall helps, so it is said as the bug it is
    # (exit 1), not as a missing package.
    def run(_args):
        raise ModuleNotFoundError("No module named 'core.cli.nothing'", name="core.cli.nothing")

    monkeypatch.setattr(core.cli.info, "run", run)
    assert main(["info", "x.png"]) == 1
    err = capsys.readouterr().err
    assert "missing dependency" not in err and "(a bug; please report it)" in err


@pytest.mark.parametrize(
    "error",
    [
        ModuleNotFoundError("No module named 'numpy.nothing'", name="numpy.nothing"),
        ImportError("cannot import name 'x' from 'numpy' (/site/numpy/__init__.py)", name="numpy"),
    ],
    ids=["a-part-missing", "another-version"],
)
def test_a_package_installed_but_broken_is_one_line(monkeypatch, capsys, error):
    def run(_args):
        raise error

    monkeypatch.setattr(core.cli.info, "run", run)
    assert main(["info", "x.png"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("xray-denoise: error: package numpy is installed but cannot be imported")
    assert line.endswith(f": {REINSTALL}")
