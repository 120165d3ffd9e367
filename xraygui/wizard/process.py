"""The training subprocess: ``python -m core.training`` under a QProcess.

Training runs in its own process so that a crash cannot take the app down and the
GPU memory is freed when it ends. Pause asks it to stop gracefully (SIGTERM: it
checkpoints and exports the model); Cancel kills it, keeping the last periodic
checkpoint, if one was written. Either can be resumed from its checkpoint with
``--resume``. The run folder is locked while a process trains it
(:mod:`xraygui.wizard.lock`), so that no other window or app trains it too.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QLockFile, QObject, QProcess, Signal

from xraygui.wizard.lock import run_lock
from xraygui.wizard.runs import RunSpec, checkpoint_step, write_run


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
        "--no-progress",
    ]  # fmt: skip
    if spec.threads is not None:
        args += ["--threads", str(spec.threads)]
    minutes = spec.minutes
    if resume:
        args.append("--resume")
        done = checkpoint_step(spec)
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
        ``running``, then ``paused``, ``cancelled``, ``finished`` or ``failed``.
    output(str)
        Text the process wrote (its log lines).
    """

    stateChanged = Signal(str)
    output = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec: RunSpec | None = None
        self.state = "idle"
        self._stop_as: str | None = None
        self._process: QProcess | None = None
        self._lock: QLockFile | None = None

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
            False if another process trains the run (its folder is locked): nothing
            is started, and the state and run file are left as they are.
        """
        if self._process is not None:
            raise RuntimeError("a training process is already running")
        lock = run_lock(spec.folder)
        if not lock.tryLock(0):
            return False
        self.spec, self._stop_as, self._lock = spec, None, lock
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.setWorkingDirectory(str(spec.folder))
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        program, args = training_command(spec, resume=resume)
        self._process = process
        self._set_state("running")
        process.start(program, args)
        return True

    def pause(self) -> None:
        """Stop gracefully: the process checkpoints and exports the model, then exits."""
        if self._process is not None:
            self._stop_as = "paused"
            self._process.terminate()

    def cancel(self) -> None:
        """Kill the process now; the last periodic checkpoint is kept for a resume."""
        if self._process is not None:
            self._stop_as = "cancelled"
            self._process.kill()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the process has ended (shutdown and tests); True if it did."""
        return self._process is None or self._process.waitForFinished(msecs)

    def _read(self) -> None:
        if self._process is not None:
            text = bytes(self._process.readAllStandardOutput().data()).decode("utf-8", "replace")
            self.output.emit(text)

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read()
        self._process = None
        self._unlock()
        if self._stop_as is not None:
            self._set_state(self._stop_as)
        elif status == QProcess.ExitStatus.NormalExit and code == 0:
            self._set_state("finished")
        else:
            self.output.emit(f"training process exited with status {code}\n")
            self._set_state("failed")

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.output.emit("the training process could not be started\n")
            self._process = None
            self._unlock()
            self._set_state("failed")

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _set_state(self, state: str) -> None:
        self.state = state
        if self.spec is not None:
            write_run(self.spec, state)
        self.stateChanged.emit(state)
