"""Importing the library runs no git, and a package outside a checkout never asks git.

Module constants named the version (the notice of written files, their ``Software``), so
importing ``core.io`` ran ``git rev-parse`` and ``git status``: in every worker process
spawned, and, on a Mac without the command line tools, ``/usr/bin/git`` asks to install them.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import core
from core.code_version import checkout_commit

ROOT = Path(core.__file__).resolve().parent.parent


def _run_with_a_git_that_leaves_a_mark(tmp_path, code: str) -> bool:
    """Run `code` in a new Python whose ``git`` notes that it ran; return whether it did."""
    marker = tmp_path / "git ran"
    marker.unlink(missing_ok=True)
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    git = folder / "git"
    git.write_text(f"#!/bin/sh\necho \"$@\" >> '{marker}'\nexit 1\n", encoding="utf-8")
    git.chmod(0o755)
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=300)
    return marker.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for git")
def test_importing_the_library_runs_no_git(tmp_path):
    imported = "import core.io, core.denoise, core.cli"
    assert not _run_with_a_git_that_leaves_a_mark(tmp_path, imported)
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "core").mkdir()
    asked = (
        "from pathlib import Path; from core.code_version import checkout_commit; "
        f"checkout_commit(Path({str(checkout / 'core')!r}))"
    )
    assert _run_with_a_git_that_leaves_a_mark(tmp_path, asked)  # that git is the one run


def test_a_package_outside_a_checkout_never_runs_git(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"git was run: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)
    installed = tmp_path / ".venv" / "lib" / "site-packages" / "core"
    installed.mkdir(parents=True)
    assert checkout_commit(installed) == ""
    assert checkout_commit(tmp_path / "gone" / "core") == ""
