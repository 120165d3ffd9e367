#!/usr/bin/env python3
"""Set up ``.venv`` and run the app or the tests: the two commands the README opens with.

``python3 dev.py run [FILE ...]`` creates or updates ``.venv``, installs the project with
the tested versions (``constraints.txt``) and starts the app (on the bundled sample when no
file is given). ``python3 dev.py test [PYTEST ARGS ...]`` does the same set-up with the test
and bench extras too, then runs ruff and the whole test suite offscreen. Works with Python
3.11+ and pip, offline once the packages are installed.
"""

# An older Python must get dev.py's one-line "needs Python 3.11" rather than a SyntaxError or
# TypeError, so this file parses and runs up to that check on Python 3.6+: no
# `from __future__ import annotations` (annotations 3.6-3.9 cannot evaluate are strings), no
# walrus, no positional-only parameters, no f-string `=` (tests/test_dev_script_old_python.py).
# 3.11 is the minimum: 3.10 reached its end of life in October 2026 (PEP 619), and the tested
# releases in constraints.txt (numpy, scipy, scikit-image, pillow, ...) need 3.11.
import hashlib
import os
import shutil
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
MIN_PYTHON = (3, 11)
MIN_PYTHON_NAME = "{}.{}".format(*MIN_PYTHON)
BUILD_BACKEND = "setuptools>=77"
"""pyproject.toml's build requirement, installed into ``.venv`` (see ensure_environment)."""
EXTRAS = {"run": (), "test": ("test", "bench")}
"""The project's extras each command needs: the app needs none; the tests and benchmarks
need theirs (pytest, ruff; bm3d and bm4d, licensed for non-commercial use only)."""


def _install_fingerprint() -> str:
    """Return a digest of what the installation depends on: the inputs and the place."""
    digest = hashlib.sha256(str(ROOT).encode())  # a moved checkout needs its scripts redone
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _venv_python_version() -> "tuple[int, int] | None":
    """Return the (major, minor) version of ``.venv``'s Python, or None if it does not run."""
    try:
        found = subprocess.run(
            [str(PYTHON), "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        major, minor = found.stdout.split()
        return int(major), int(minor)
    except ValueError:
        return None


def _unusable_venv_reason() -> "str | None":
    """Say why an existing ``.venv`` cannot be used, or return None if it can (or is absent)."""
    if not VENV.exists():
        return None
    if not PYTHON.exists():
        return "it has no Python"
    version = _venv_python_version()
    if version is None:
        return "its Python does not run (moved or removed?)"
    if version < MIN_PYTHON:
        found = f"{version[0]}.{version[1]}"
        return f"its Python is {found}; xray-denoise needs {MIN_PYTHON_NAME} or newer"
    return None


def extras_to_install(
    stamp: str, fingerprint: str, wanted: "tuple[str, ...]"
) -> "list[str] | None":
    """Return the extras to install the project with into ``.venv``, or None if it needs none.

    Parameters
    ----------
    stamp : str
        What the last installation recorded (:func:`stamp_text`; ``""`` if none): its
        fingerprint, then a line with the extras it installed, comma-separated.
    fingerprint : str
        The fingerprint of the installation's inputs now.
    wanted : tuple of str
        The extras the command needs.

    Returns
    -------
    list of str or None
        The sorted extras to install the project with (``[]``: none), those wanted and those
        installed before, which stay at the tested versions too; None when the fingerprint is
        unchanged and the extras installed include those wanted.
    """
    recorded, _, extras_line = stamp.partition("\n")
    installed = {extra for extra in extras_line.strip().split(",") if extra}
    if stamp and recorded == fingerprint and installed.issuperset(wanted):
        return None
    return sorted(installed.union(wanted))


def stamp_text(fingerprint: str, extras: "list[str]") -> str:
    """Return what ``.venv``'s stamp records of an installation: its fingerprint and extras."""
    return "{}\n{}\n".format(fingerprint, ",".join(extras))


def install_commands(extras: "list[str]") -> "list[list[str]]":
    """Return the pip commands that install the project with `extras` into ``.venv``.

    The build backend goes into .venv itself, and the project is built there, not in an
    isolated environment fetched from the index: so a moved checkout (whose scripts and
    editable install must be redone) reinstalls offline from what .venv already holds.
    Both at the versions in ``constraints.txt``.
    """
    install = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    constrained = ["-c", "constraints.txt"]
    project = ".[{}]".format(",".join(extras)) if extras else "."
    return [
        [*install, BUILD_BACKEND, *constrained],
        [*install, "--no-build-isolation", "-e", project, *constrained],
    ]


def _run(*args: "str | Path", env: "dict[str, str] | None" = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def _venv_has_pip() -> bool:
    """Return whether ``.venv``'s Python can run pip."""
    try:
        found = subprocess.run(
            [str(PYTHON), "-m", "pip", "--version"], capture_output=True, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode == 0


def _bootstrap_pip() -> bool:
    """Add pip to ``.venv`` with its Python's ensurepip if it lacks it; return whether it has pip.

    ``python3 -m venv`` on Debian/Ubuntu without python3-venv (or ``--without-pip``) leaves a
    ``.venv`` whose Python runs but has no pip.
    """
    if _venv_has_pip():
        return True
    try:
        subprocess.run(
            [str(PYTHON), "-m", "ensurepip", "--upgrade", "--default-pip"],
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return _venv_has_pip()


def _create_venv() -> None:
    """Create ``.venv`` without pip (``_ensure_pip`` adds it, or says what the system lacks)."""
    print(f"Creating {VENV} ...", flush=True)
    try:
        venv.EnvBuilder().create(VENV)
    except OSError as error:
        sys.exit(f"dev.py: cannot create {VENV}: {error}")


def _ensure_pip(fresh: bool) -> None:
    """Make sure ``.venv`` has pip, or exit with one line saying what the system lacks.

    Pip is added with ensurepip; failing that, a ``.venv`` that is not `fresh` (another Python
    may have made it) is made again with this one.
    """
    if _bootstrap_pip():
        return
    if not fresh:
        print(f"Recreating {VENV}: it has no pip and ensurepip could not add it", flush=True)
        shutil.rmtree(VENV)
        _create_venv()
        if _bootstrap_pip():
            return
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    sys.exit(
        f"dev.py: cannot put pip into {VENV}: this Python's ensurepip is missing or disabled; "
        f"install python3-venv (Debian/Ubuntu: sudo apt install python{version}-venv) and run again"
    )


def ensure_environment(command: str) -> None:
    """Create ``.venv`` if needed and (re)install when pyproject, constraints or the place changed.

    Also when `command` needs extras ``.venv`` lacks (``test`` after ``run``). An existing
    ``.venv`` that cannot work (its Python missing, broken or older than 3.11, or no pip
    that ensurepip can add) is replaced; it holds nothing but installed packages.
    """
    if sys.version_info < MIN_PYTHON:
        sys.exit(
            f"dev.py: needs Python {MIN_PYTHON_NAME} or newer; this is {sys.version.split()[0]}"
        )
    reason = _unusable_venv_reason()
    if reason is not None:
        print(f"Recreating {VENV}: {reason}", flush=True)
        shutil.rmtree(VENV)
    fresh = not PYTHON.exists()
    if fresh:
        _create_venv()
    fingerprint = _install_fingerprint()
    extras = extras_to_install(
        STAMP.read_text() if STAMP.exists() else "", fingerprint, EXTRAS[command]
    )
    if extras is None:
        return
    _ensure_pip(fresh)
    print("Installing xray-denoise and its dependencies into .venv ...", flush=True)
    for install in install_commands(extras):
        if _run(*install) != 0:
            sys.exit("dev.py: installing into .venv failed (see pip's message above)")
    STAMP.write_text(stamp_text(fingerprint, extras))


def run_tests(pytest_args: "list[str]") -> int:
    """Run ruff's linter and format check, then pytest offscreen; return the first failure."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for command in (
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("pytest", *pytest_args),
    ):
        status = _run(PYTHON, "-m", *command, env=env)
        if status != 0:
            return status
    return 0


def main(argv: "list[str]") -> int:
    """Dispatch ``run`` or ``test``."""
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_environment(argv[0])
    if argv[0] == "test":
        return run_tests(argv[1:])
    return _run(PYTHON, "-m", "xraygui", *argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
