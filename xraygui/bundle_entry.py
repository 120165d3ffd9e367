"""The frozen bundle's entry point: workers start here without Qt, the app after them.

PyInstaller runs this script first in every process of the bundle (``build.spec``). A
worker that multiprocessing spawns (the training's patch drawing, on Windows and macOS) and
the training wizard's ``--train`` process run from here without importing Qt or the
window (about 1 s and 136 MB each); everything else starts the app,
:func:`xraygui.__main__.main`.
"""

from __future__ import annotations

import multiprocessing
import sys

from core import limit_openmp_spinning


def run_without_qt(argv: list[str]) -> int | None:
    """Run a spawned worker or the ``--train`` worker, if this process is one.

    Parameters
    ----------
    argv : list of str
        Arguments without the program name.

    Returns
    -------
    int or None
        The ``--train`` run's exit status; None where the app is to start. A worker that
        multiprocessing spawned does its work and exits in here.
    """
    # In a frozen bundle, a worker process spawned by multiprocessing starts this executable
    # again: run the worker's code and exit.
    multiprocessing.freeze_support()
    if argv[:1] == ["--train"]:
        # The training wizard's worker process inside a frozen bundle, which has no
        # separate Python: the same executable runs core.training, without Qt.
        from core.training.__main__ import main as train_main

        return train_main(argv[1:])
    return None


def main() -> int:
    """Start a worker, or else the app; return the exit status."""
    limit_openmp_spinning()  # before torch loads; a spawned worker inherits it
    argv = sys.argv[1:]
    status = run_without_qt(argv)
    if status is not None:
        return status
    from xraygui.__main__ import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    sys.exit(main())
