"""SIGTERM and SIGHUP stop the command line as Ctrl-C does: no file is left half-written."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOPPING_SIGNALS = ("SIGTERM", "SIGHUP")
"""Sent by batch schedulers (a time limit), ``timeout``, service managers, a closed session."""


class Terminated(KeyboardInterrupt):
    """A SIGTERM or SIGHUP, raised wherever the program is, as Ctrl-C raises KeyboardInterrupt.

    Being a KeyboardInterrupt, it unwinds through every ``finally`` and every handler of
    Ctrl-C: :func:`core.io.atomic.atomic_write` removes its temporary file.

    Parameters
    ----------
    signum : int
        The signal's number; the program exits with 128 + it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def stopping_signals_raise() -> Iterator[None]:
    """Within the block, have SIGTERM and SIGHUP raise :class:`Terminated`.

    Only signals whose handling is the default (ending the process at once) are
    taken over: one ignored, as ``nohup`` ignores SIGHUP, stays ignored. Signals the
    OS lacks (SIGHUP on Windows) are left out, and so is everything outside the main
    thread, where Python cannot set handlers. The earlier handlers come back on exit.
    ``train`` replaces these handlers while it trains: a signal then stops the run after
    its step, with a checkpoint (:mod:`core.training.__main__`).

    Yields
    ------
    None
    """
    previous = {}
    for name in STOPPING_SIGNALS:
        number = getattr(signal, name, None)
        if number is None or signal.getsignal(number) is not signal.SIG_DFL:
            continue
        try:
            previous[number] = signal.signal(number, _raise_terminated)
        except ValueError:  # not the main thread
            break
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _raise_terminated(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)
