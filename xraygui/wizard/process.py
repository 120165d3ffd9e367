"""The training subprocess: ``python -m core.training`` under a QProcess.

Training runs in its own process so that a crash cannot take the app down and the
GPU memory is freed when it ends. Pause asks it to stop gracefully through its stop
file (:mod:`core.training.control`; a signal would not reach it on Windows): it
checkpoints and exports the model. Cancel kills it, keeping the last periodic
checkpoint, if one was written. Either can be resumed from its checkpoint with
``--resume``. The run is locked while a process trains it (:mod:`xraygui.wizard.lock`),
so that no other window or app trains it too.
"""

from __future__ import annotations

import codecs
import signal
import sys

from PySide6.QtCore import QLockFile, QObject, QProcess, QTimer, Signal

from core.training.control import is_being_trained, request_stop, stop_path
from xraygui.wizard.lock import take_run_lock
from xraygui.wizard.runs import RunSpec, find_checkpoint, record_state, state_not_recorded

STOPPED_STATUSES = frozenset(
    128 + number
    for number in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
    if number is not None
)
"""Exit statuses of a run stopped early with a checkpoint and its model (130, 143, 129)."""
STOP_REQUEST_MS = 1000
"""Interval at which a Pause's stop file is put back while the process still runs."""


def _output_decoder() -> codecs.IncrementalDecoder:
    """Return a decoder of a process's UTF-8 output that keeps a split character's start."""
    return codecs.getincrementaldecoder("utf-8")("replace")


def training_command(spec: RunSpec, *, resume: bool) -> tuple[str, list[str]]:
    """Return the program and arguments that run (or resume) a training run.

    In a frozen bundle the app's own executable is started in its hidden ``--train``
    mode, which must hand the remaining arguments to ``core.training.__main__.main``.

    Parameters
    ----------
    spec : RunSpec
        The run.
    resume : bool
        Continue from the checkpoint; the remaining time budget is passed.

    Returns
    -------
    program : str
    arguments : list of str
    """
    args = [
        str(spec.data),
        "--output", str(spec.output),
        "--device", spec.device,
        "--steps", str(spec.steps),
        "--log-every", str(spec.log_every),
        "--val-every", str(spec.val_every),
        "--checkpoint-every", str(spec.checkpoint_every),
        "--val-doses", ",".join(f"{dose:g}" for dose in spec.val_doses),
        "--val-electronic-noise", f"{spec.electronic_noise:g}",
        "--val-photons", "measured" if spec.val_photons is None else f"{spec.val_photons:.12g}",
        "--no-progress",
    ]  # fmt: skip
    if spec.threads is not None:
        args += ["--threads", str(spec.threads)]
    if spec.ignore_patient_table:  # a resume splits again: it must split alike
        args.append("--ignore-patient-table")
    minutes = spec.minutes
    if resume:
        args.append("--resume")
        done = find_checkpoint(spec).step
        if minutes is not None and done is not None:
            minutes = max(minutes - done[1] / 60.0, 0.05)
    else:
        args += ["--batch-size", str(spec.batch_size), "--patch-size", str(spec.patch_size)]
        args += ["--binning", str(spec.binning)]
        if spec.lr is not None:
            args += ["--lr", f"{spec.lr:g}"]
        if spec.init_model is not None:
            args += ["--init-model", str(spec.init_model)]
        else:
            args += ["--architecture", spec.architecture]
    if minutes is not None:
        args += ["--minutes", f"{minutes:g}"]
    if getattr(sys, "frozen", False):
        return sys.executable, ["--train", *args]
    return sys.executable, ["-m", "core.training", *args]


class TrainingProcess(QObject):
    """One training invocation at a time, with its state kept in the run folder.

    Signals
    -------
    stateChanged(str)
        ``running``, then ``paused``, ``cancelled``, ``finished`` or ``failed``: what the
        process's exit says happened, whatever was asked.
    output(str)
        Text the process wrote (its log lines), and a line of its own where a state
        cannot be stored in the run file.
    """

    stateChanged = Signal(str)
    output = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec: RunSpec | None = None
        self.state = "idle"
        self.pausing = False
        self._cancelled = False
        self.exit_code: int | None = None  # of the last process, once it has ended
        self._process: QProcess | None = None
        self._decoder = _output_decoder()
        self._lock: QLockFile | None = None
        self._stop_request = QTimer(self)
        self._stop_request.setInterval(STOP_REQUEST_MS)
        self._stop_request.timeout.connect(self._request_stop)

    def is_running(self) -> bool:
        """Whether a training process is alive."""
        return self._process is not None

    def start(self, spec: RunSpec, *, resume: bool = False) -> bool:
        """Start (or resume) a run; this object must not be running one already.

        Parameters
        ----------
        spec : RunSpec
            The run.
        resume : bool
            Continue from its checkpoint.

        Returns
        -------
        bool
            False if another process trains the run (its folder or model is locked, by an
            app or a training process): nothing is started, and the state and run file
            are left as they are.

        Raises
        ------
        ImageWriteError
            If the run folder cannot be written (no permission, a full disk), as
            :func:`xraygui.wizard.lock.take_run_lock` says: nothing is started.
        """
        if self._process is not None:
            raise RuntimeError("a training process is already running")
        lock = take_run_lock(spec.folder)
        if lock is None:
            return False
        if is_being_trained(spec.output):  # as by a process whose app has died
            lock.unlock()
            return False
        self.spec, self._lock = spec, lock
        self.pausing = self._cancelled = False
        self.exit_code = None
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.setWorkingDirectory(str(spec.folder))
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        program, args = training_command(spec, resume=resume)
        self._process, self._decoder = process, _output_decoder()
        self._set_state("running")
        process.start(program, args)
        return True

    def adopt(self, spec: RunSpec, state: str) -> None:
        """Take on a run that another process trained, now ended, in the state it ended in.

        Parameters
        ----------
        spec : RunSpec
            The run.
        state : str
            ``finished``, ``paused``, ``cancelled`` or ``failed`` (its checkpoint cannot
            be resumed from); stored in its run file.
        """
        if self._process is not None:
            raise RuntimeError("a training process is already running")
        self.spec = spec
        self._set_state(state)

    def pause(self) -> None:
        """Stop gracefully: the process checkpoints and exports the model, then exits.

        The request is the run's stop file, which works on every OS, and is kept in place
        until the process ends: a run that is still starting removes a stop file it finds
        as one left from an earlier run.
        """
        if self._process is not None and not self.pausing:
            self.pausing = True
            self._request_stop()
            self._stop_request.start()

    def cancel(self) -> None:
        """Kill the process now; the last periodic checkpoint is kept for a resume."""
        if self._process is not None:
            self._cancelled = True
            self._process.kill()

    def _request_stop(self) -> None:
        if self._process is not None and self.spec is not None:
            request_stop(self.spec.output)

    def _read(self, *, final: bool = False) -> None:
        """Emit the process's new output; a character split between two reads waits for its end."""
        if self._process is not None:
            data = bytes(self._process.readAllStandardOutput().data())
            text = self._decoder.decode(data, final=final)
            if text:
                self.output.emit(text)

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read(final=True)  # a character the process left incomplete, as U+FFFD
        self._ended()
        self.exit_code = code if status == QProcess.ExitStatus.NormalExit else None
        if status == QProcess.ExitStatus.NormalExit and code == 0:
            self._set_state("finished")
        elif status == QProcess.ExitStatus.NormalExit and code in STOPPED_STATUSES:
            self._set_state("paused")  # checkpointed and exported: Pause, or a signal
        elif self._cancelled:
            self._set_state("cancelled")
        else:
            self.output.emit(f"training process exited with status {code}\n")
            self._set_state("failed")

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.output.emit("the training process could not be started\n")
            self._ended()
            self._set_state("failed")

    def _ended(self) -> None:
        """Forget the process, its stop request and the app's lock of the run folder."""
        self._process = None
        self._stop_request.stop()
        if self.pausing and self.spec is not None:  # a request put back after it was answered
            stop_path(self.spec.output).unlink(missing_ok=True)
        self.pausing = False
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _set_state(self, state: str) -> None:
        self.state = state
        why = "" if self.spec is None else record_state(self.spec, state)
        if why:
            self.output.emit(f"{state_not_recorded(why, state)}\n")
        self.stateChanged.emit(state)
