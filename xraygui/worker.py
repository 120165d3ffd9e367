"""A generator worker on a QThread, in the manner of superqt's ``GeneratorWorker``.

The work is a generator: every ``yield`` is a progress event and a point where
the work can be cancelled; its ``return`` value is the result. Signals reach the
GUI thread through queued connections, so values must already be plain Python
or numpy (never tensors on a device).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import Any, ClassVar

from PySide6.QtCore import QMetaMethod, QObject, Qt, QThread, Signal, Slot


class _Runner(QObject):
    """Lives in the worker thread and drives the generator; its signals cross to the GUI thread."""

    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    aborted = Signal()
    done = Signal()

    def __init__(
        self,
        func: Callable[..., Generator[Any, None, Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        abort: threading.Event,
        completed: threading.Event,
    ) -> None:
        super().__init__()
        self._func, self._args, self._kwargs = func, args, kwargs
        self._abort, self._completed = abort, completed

    @Slot()
    def run(self) -> None:
        self.started.emit()
        generator = None
        try:
            generator = self._func(*self._args, **self._kwargs)
            while True:
                if self._abort.is_set():
                    self.aborted.emit()
                    return
                try:
                    value = next(generator)
                except StopIteration as stop:
                    if self._abort.is_set():
                        self.aborted.emit()
                    else:
                        self._completed.set()
                        self.returned.emit(stop.value)
                    return
                if not self._abort.is_set():
                    self.yielded.emit(value)
        except Exception as error:  # the boundary: every failure reaches the GUI as a signal
            self.errored.emit(error)
        finally:
            if generator is not None:
                generator.close()
            del generator
            # The job's inputs (images...) are not kept once it has ended.
            self._func = self._args = self._kwargs = None
            self.done.emit()


class GeneratorWorker(QObject):
    """Run a generator function in a QThread and report on it with signals.

    The signals are emitted in the thread that created the worker (the GUI
    thread), so any slot, lambdas included, runs there. Exactly one of
    :attr:`returned`, :attr:`errored` or :attr:`aborted` is emitted, then
    :attr:`finished` once the thread has ended. After :meth:`quit`,
    :attr:`returned` is never emitted: a cancelled run leaves no partial result.

    A started worker keeps itself alive until its thread has ended, so a caller may
    drop it while it runs. After :attr:`finished` it lets go of its thread and of
    every slot connected to its signals (lambdas that hold it included), so that it
    and what the job was given can be freed.

    Parameters
    ----------
    func : callable
        Returns a generator when called with ``*args, **kwargs``; every ``yield``
        is a progress value and a point where the work may be cancelled.
    *args, **kwargs
        Passed to `func` in the worker thread.
    """

    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    aborted = Signal()
    finished = Signal()

    _started: ClassVar[set[GeneratorWorker]] = set()
    """Workers from :meth:`start` until their thread has ended (they keep themselves)."""

    def __init__(
        self, func: Callable[..., Generator[Any, None, Any]], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__()
        self._abort = threading.Event()
        self._completed = threading.Event()
        self._runner = _Runner(func, args, kwargs, self._abort, self._completed)
        self.thread: QThread | None = None

    @property
    def abort_requested(self) -> bool:
        """Whether :meth:`quit` was called (for tests; the app does not read it)."""
        return self._abort.is_set()

    @property
    def has_returned(self) -> bool:
        """Whether the work has returned its value (:attr:`returned` is sent or on its way).

        From then on :meth:`quit` would only throw the finished result away.
        """
        return self._completed.is_set()

    def quit(self) -> None:
        """Ask the work to stop at its next yield; safe to call from any thread."""
        self._abort.set()

    def detach(self) -> None:
        """Ask the work to stop (:meth:`quit`) and drop every slot connected to its signals.

        For an owner that goes away (a window that closes): nothing the worker sends
        from now on, or has sent and is still queued, reaches a slot. Its thread ends
        as it would after :meth:`quit`, and the worker then lets go of itself.
        """
        self.quit()
        self._disconnect_all()

    def start(self) -> QThread:
        """Start the work in a new QThread, which ends when the work ends.

        Returns
        -------
        QThread
            The running thread (also kept as :attr:`thread`).
        """
        thread = QThread()
        self.thread = thread
        runner = self._runner
        runner.moveToThread(thread)
        thread.started.connect(runner.run)
        runner.started.connect(self._relay_started)
        runner.yielded.connect(self._relay_yielded)
        runner.returned.connect(self._relay_returned)
        runner.errored.connect(self._relay_errored)
        runner.aborted.connect(self._relay_aborted)
        # Direct: QThread.quit is thread-safe, and the GUI thread may be blocked in wait().
        runner.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._relay_finished)
        GeneratorWorker._started.add(self)
        thread.start()
        return thread

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the thread has ended (for shutdown and tests); True if it did."""
        return self.thread is None or self.thread.wait(msecs)

    @classmethod
    def stop_all(cls, msecs: int = 30_000) -> bool:
        """Ask every started worker to stop and wait for its thread (before the process ends).

        A QThread destroyed while running aborts the process; a window waits for the
        jobs it keeps, and this for any other (reading a file, say). A worker leaves the
        started ones when the event loop relays its end, which may start another job:
        call this until it returns False, processing events in between.

        Parameters
        ----------
        msecs : int
            Longest wait for each thread, in milliseconds.

        Returns
        -------
        bool
            Whether there were started workers to stop.
        """
        workers = list(cls._started)
        for worker in workers:
            worker.quit()
        for worker in workers:
            worker.wait(msecs)
        return bool(workers)

    # Bound methods of this GUI-thread object: Qt queues the runner's signals to them.
    @Slot()
    def _relay_started(self) -> None:
        self.started.emit()

    @Slot(object)
    def _relay_yielded(self, value: Any) -> None:
        if not self._abort.is_set():
            self.yielded.emit(value)

    @Slot(object)
    def _relay_returned(self, value: Any) -> None:
        if self._abort.is_set():  # cancelled after the work ended but before the GUI saw it
            self.aborted.emit()
        else:
            self.returned.emit(value)

    @Slot(object)
    def _relay_errored(self, error: Exception) -> None:
        self.errored.emit(error)

    @Slot()
    def _relay_aborted(self) -> None:
        self.aborted.emit()

    @Slot()
    def _relay_finished(self) -> None:
        self.finished.emit()
        thread, self.thread = self.thread, None
        if thread is not None:
            thread.wait()  # "finished" comes from the thread just before it ends
        self._disconnect_all()
        GeneratorWorker._started.discard(self)

    def _disconnect_all(self) -> None:
        """Drop the slots connected to this worker's signals: it emits no more."""
        meta = self.metaObject()
        for index in range(meta.methodOffset(), meta.methodCount()):
            method = meta.method(index)
            is_signal = method.methodType() == QMetaMethod.MethodType.Signal
            if is_signal and self.isSignalConnected(method):
                getattr(self, bytes(method.name()).decode()).disconnect()
