"""The ``xray-denoise`` command line: one module per subcommand.

Bad input ends the program with exit status 2 and one line on stderr that names
the file and the reason (``standard output: No space left on device`` for a stdout that
refuses a line, said last); an unexpected error (a bug) with status 1 and one line that
names it. No traceback reaches the user. Ctrl-C, SIGTERM and SIGHUP stop it with
128 + the signal's number and leave no half-written file.

The subcommands, and what they need (numpy, pydicom, torch...), are imported once the
program runs (:func:`subcommands`): ``--version`` needs none of them, and a dependency
missing from the environment, or broken, is one line naming every one missing, exit status 2
(:func:`dependency_problem`).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import io
import os
import select
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

from core import limit_openmp_spinning
from core.cli.signals import Terminated, stopping_signals_raise
from core.code_version import software_version
from core.errors import error_line, is_bad_input, printable
from core.resources import version_line

PROG = "xray-denoise"
SUBCOMMANDS = ("info", "simulate", "metrics", "phantom", "denoise", "train")
"""The subcommands' modules in ``core.cli``, in the order of the help."""
REINSTALL = (
    "reinstall xray-denoise with its dependencies "
    "(in its source folder: pip install -c constraints.txt .)"
)
"""What to do when a Python package the program needs is missing (an install ``--no-deps``)."""
EXIT_BAD_INPUT = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""
EXIT_BROKEN_PIPE = 141
"""Exit status when the reader of stdout has gone (128 + SIGPIPE), as in ``| head``."""
EXIT_STATUSES = (
    "exit status: 0 done; 1 an unexpected error (a bug); 2 bad input, or the file\n"
    "system refused; 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP (no file is left\n"
    "half-written); 141 the reader of the output stopped early (| head)."
)
"""The epilog of the help of ``xray-denoise`` and of every subcommand but ``train``.

``train --help`` is the training parser's, whose epilog gives its own statuses: a stopped
run has a checkpoint (:data:`core.training.arguments.EXIT_STATUSES`).
"""


def subcommands() -> list[ModuleType]:
    """Import and return the subcommands' modules (:data:`SUBCOMMANDS`).

    Raises
    ------
    ModuleNotFoundError
        Where a package they need is not installed (:func:`dependency_problem`).
    """
    return [importlib.import_module(f"{__name__}.{name}") for name in SUBCOMMANDS]


PIP_NAMES = {
    "PIL": "pillow",
    "skimage": "scikit-image",
    "PySide6": "PySide6-Essentials",
    "openjpeg": "pylibjpeg-openjpeg",
    "rle": "pylibjpeg-rle",
}
"""The packages to install for the modules whose names are not their packages'."""
REQUIRED_MODULES = (
    "imagecodecs",
    "numpy",
    "openjpeg",
    "PIL",
    "pydicom",
    "pylibjpeg",
    "rle",
    "safetensors",
    "scipy",
    "skimage",
    "tifffile",
    "torch",
    "tqdm",
)
"""The modules of the dependencies the command line needs (pyproject.toml's, less the
desktop app's: PySide6, pyqtgraph, platformdirs), all named where one is missing."""
OWN_PACKAGES = ("core", "xraygui")
"""This program's own packages: a module of theirs not found is a bug, not an install's."""


def dependency_problem(error: ImportError) -> str | None:
    """Say in one line what keeps a third-party package an import needed from loading.

    Parameters
    ----------
    error : ImportError
        From an import, perhaps a :class:`ModuleNotFoundError`.

    Returns
    -------
    str or None
        ``"missing dependency <module> (pip package <name>): reinstall xray-denoise ..."``
        for a package not installed, ``"missing dependencies <module>, <module> (pip
        package <name>), ...: reinstall ..."`` where others of :data:`REQUIRED_MODULES`
        are missing too (every one, in alphabetical order), ``"package <module> is
        installed but cannot be imported (<why>): reinstall ..."`` for one that is
        (another version, a part missing, a library it loads; any missing named before
        ``reinstall``), the package named where it is not the module's name
        (:data:`PIP_NAMES`); None for a module of :data:`OWN_PACKAGES` (a bug: a typo,
        a renamed module) or an error naming no module.
    """
    module = (error.name or "").partition(".")[0]
    if not module or module in OWN_PACKAGES:
        return None
    missing = {name for name in REQUIRED_MODULES if name != module and not _installed(name)}
    if isinstance(error, ModuleNotFoundError) and not _installed(module):
        return f"{_missing_dependencies([module, *missing])}: {REINSTALL}"
    why = " ".join(str(error).split())
    broken = f"package {_with_package(module)} is installed but cannot be imported ({why})"
    if missing:
        broken += f"; {_missing_dependencies(list(missing))}"
    return f"{broken}: {REINSTALL}"


def _installed(module: str) -> bool:
    """Whether top-level `module` can be found, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # broken, or hidden (sys.modules[module] = None)
        return False


def _with_package(module: str) -> str:
    """Name `module`, with its pip package where that has another name (:data:`PIP_NAMES`)."""
    return f"{module} (pip package {PIP_NAMES[module]})" if module in PIP_NAMES else module


def _missing_dependencies(modules: list[str]) -> str:
    """Say that `modules` are missing: ``"missing dependency numpy"``, or several, sorted."""
    named = ", ".join(_with_package(name) for name in sorted(modules, key=str.lower))
    return f"missing {'dependency' if len(modules) == 1 else 'dependencies'} {named}"


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """Return the parser with every subcommand registered.

    Parameters
    ----------
    commands : bool
        False: without the subcommands, which need not be imported to answer ``--version``.

    Raises
    ------
    ModuleNotFoundError
        Where a package a subcommand needs is not installed.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Denoise and analyse low-dose X-ray images. Not for diagnostic use.",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # --version on one line
        epilog=EXIT_STATUSES,
    )
    parser.add_argument(
        "--version", action="version", version=version_line(PROG, software_version())
    )
    if not commands:
        return parser
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in subcommands():
        module.register(subparsers)
    for name, subparser in subparsers.choices.items():
        if name != "train":  # its --help is core.training's parser, with its own statuses
            subparser.epilog = EXIT_STATUSES
    return parser


def _show_warning_on_one_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    print(f"{PROG}: warning: {printable(str(message))}", file=sys.stderr)


def _stdout_has_gone() -> bool:
    """Whether stdout's reader has closed it; if so, point stdout at the null device.

    Python would otherwise fail again flushing stdout at exit. Where the pipe cannot
    be polled (Windows), a broken pipe is taken to be stdout's.
    """
    try:
        poll = select.poll()
    except AttributeError:
        gone = True
    else:
        poll.register(sys.stdout.fileno(), select.POLLOUT)
        gone = any(events & select.POLLERR for _, events in poll.poll(0))
    if gone:
        _discard_stdout()
    return gone


def _discard_stdout() -> None:
    """Point stdout's file descriptor at the null device: what it holds is dropped at exit.

    Python flushes stdout at exit, and a failure there (the lines a full disk refused, still
    held) would print a traceback and end the program with status 120. Nothing is done
    where stdout is not a file (a test's stand-in).
    """
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # None, or no file descriptor
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success, 2 on bad input, a missing or broken dependency (:func:`dependency_problem`)
        or where stdout refuses a line (``standard output: <the reason>``, said last), 1
        on an unexpected error, 128 + the signal's number after Ctrl-C (130), SIGTERM
        (143) or SIGHUP (129).
    """
    given = sys.argv[1:] if argv is None else list(argv)
    limit_openmp_spinning()  # before a subcommand imports torch (none does on import)
    if isinstance(sys.stdout, io.TextIOWrapper):  # a file name no encoding can print: escaped
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        # --version (it exits) needs no subcommand, nor the packages they need.
        args = build_parser(commands=given[:1] != ["--version"]).parse_args(given)
        from core.cli.denoise_report import StdoutError
        from core.io import silence_reader_libraries
    except ImportError as error:
        problem = dependency_problem(error)
        print(f"{PROG}: error: {problem or error_line(error)}", file=sys.stderr)
        return EXIT_BUG if problem is None else EXIT_BAD_INPUT  # None: a module of ours
    with warnings.catch_warnings(), stopping_signals_raise():
        silence_reader_libraries()  # the user gets our one line on a damaged file instead
        warnings.showwarning = _show_warning_on_one_line
        try:
            return args.run(args)
        except BrokenPipeError as error:
            if _stdout_has_gone():  # the reader (``| head``) has all it wanted: stop quietly
                return EXIT_BROKEN_PIPE
            print(f"{PROG}: error: {error_line(error)}", file=sys.stderr)
            return EXIT_BUG
        except StdoutError as error:  # a full disk, say: outputs written, their lines lost
            _discard_stdout()
            print(f"{PROG}: error: {error_line(error)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except Exception as error:  # bad input, the disk's refusal, or a bug: one line each
            problem = dependency_problem(error) if isinstance(error, ImportError) else None
            if problem is not None:  # torch, say, imported when it is first needed
                print(f"{PROG}: error: {problem}", file=sys.stderr)
                return EXIT_BAD_INPUT
            print(f"{PROG}: error: {error_line(error)}", file=sys.stderr)
            return EXIT_BAD_INPUT if is_bad_input(error) else EXIT_BUG
        except KeyboardInterrupt as stop:  # Ctrl-C or Terminated: no half-written file
            print(f"{PROG}: interrupted (no file is left half-written)", file=sys.stderr)
            return 128 + stop.signum if isinstance(stop, Terminated) else EXIT_INTERRUPTED
