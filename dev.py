#!/usr/bin/env python3
"""Set up ``.venv`` and run the app or the tests: the two commands the README opens with.

``python3 dev.py run [FILE ...]`` creates or updates ``.venv``, installs the project with
the tested versions (``constraints.txt``) and starts the app (on the bundled sample when no
file is given). ``python3 dev.py test [PYTEST ARGS ...]`` does the same set-up, then runs
ruff and the whole test suite offscreen. Works with Python 3.10+ and pip, offline once the
packages are installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
INSTALL_INPUTS = ("pyproject.toml", "constraints.txt")


def _install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _run(*args: str | Path, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def ensure_environment() -> None:
    """Create ``.venv`` if needed and (re)install when pyproject or constraints changed."""
    if not PYTHON.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = _install_fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    print("Installing xray-denoise and its dependencies into .venv ...", flush=True)
    install = (PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q")
    if _run(*install, "-e", ".[test,bench]", "-c", "constraints.txt") != 0:
        sys.exit("dev.py: installing into .venv failed (see pip's message above)")
    STAMP.write_text(fingerprint)


def run_tests(pytest_args: list[str]) -> int:
    """Run ruff, then pytest offscreen; return the first non-zero exit status."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    status = _run(PYTHON, "-m", "ruff", "check", ".", env=env)
    if status != 0:
        return status
    return _run(PYTHON, "-m", "pytest", *pytest_args, env=env)


def main(argv: list[str]) -> int:
    """Dispatch ``run`` or ``test``."""
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    if argv[0] == "test":
        return run_tests(argv[1:])
    return _run(BIN / "xraygui", *argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
