"""Page 4: the training process, its live loss and validation curves, ETA, Pause/Resume/Stop now."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from core.diffusion import card_path
from core.errors import ImageWriteError, os_error_line
from core.training.control import DATA_CHANGED_STATUS, request_stop
from xraygui.wizard.common import confirmed
from xraygui.wizard.lock import is_locked
from xraygui.wizard.metrics import (
    MetricsReader,
    dose_settings,
    mean_dose_scores,
    mean_scores,
    settings_change,
)
from xraygui.wizard.process import TrainingProcess
from xraygui.wizard.runs import (
    STALE,
    CheckpointFound,
    RunSpec,
    find_checkpoint,
    record_state,
    run_state,
    state_not_recorded,
)

POLL_MS = 500
GAUSSIAN = "Gaussian levels, one step"
DOSES = "Noise-page doses, blind denoise"
GAUSSIAN_SCALE = "dB on [-1, 1] (model domain)"
DOSES_SCALE = "dB on [0, 1] (image's range)"
NO_POINTS = "No points yet."
"""A plot's accessible description before its first point."""
TITLE_SIZE = "9pt"
"""Plot titles' size: pyqtgraph's 11 pt cut the longest off at the wizard's width."""
PSNR_MIN_RANGE_DB = 0.5
"""The least span, in dB, of a PSNR plot's axis."""
SSIM_MIN_RANGE = 0.02
"""The least span of the SSIM plot's axis."""
LOSS_MIN_DECADES = 2.0
"""The least span, in decades, of the loss plot's log axis."""
STOPPED = frozenset({"paused", "cancelled", "failed"})
"""States in which the run can go on: resumed from its checkpoint, or started again."""
CANNOT_RESUME_NEWER = (
    "Cannot resume: the run's checkpoint was made by a newer xray-denoise: update to open it."
)
"""The status of a run whose checkpoint a later version wrote: nothing else is offered."""
STOP_NOW = "Stop now"
STOP_NOW_TIP = (
    "Kill the training process at once, without saving: the steps since its last "
    "checkpoint are lost (a resume goes on from that checkpoint). Pause saves a checkpoint "
    "and the model first, losing nothing."
)
FEW_STEPS = 10
"""The most steps Stop now loses without asking first."""


def format_eta(seconds: float | None) -> str:
    """``"ETA 1 h 02 min"``, ``"ETA 3 min 05 s"``, or ``"ETA -"`` when unknown."""
    if seconds is None:
        return "ETA -"
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"ETA {hours} h {minutes:02d} min"
    return f"ETA {minutes} min {secs:02d} s"


def eta_seconds(spec: RunSpec, record: dict) -> float | None:
    """Return the seconds left: to the step horizon or the end of the budget, if sooner."""
    rate = record.get("steps_per_s") or 0.0
    left = [(spec.steps - record["step"]) / rate] if rate > 0 else []
    if spec.minutes is not None:
        left.append(spec.minutes * 60 - record["elapsed_s"])
    return min(left) if left else None


def _broken(
    points: list[tuple[int, float, float]], restarts: list[int]
) -> list[tuple[int, float, float]]:
    """Return `points` with a NaN point before each index in `restarts`.

    A curve drawn with ``connect="finite"`` is not drawn across such a point.
    """
    broken = list(points)
    for index in reversed(restarts):
        broken.insert(index, (broken[index][0], math.nan, math.nan))
    return broken


class DecadeAxis(pg.AxisItem):
    """A log axis labelled at powers of 10 only (pyqtgraph's labels 2 to 9 in each pile up)."""

    def logTickValues(  # noqa: N802 (pyqtgraph's name)
        self,
        minVal: float,
        maxVal: float,
        size: float,
        stdTicks: list,  # noqa: N803
    ) -> list[tuple[float, list[float]]]:
        """Return one tick level: the whole decades (log10 units) from ``minVal`` to ``maxVal``."""
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]


def _plot(title: str, left: pg.AxisItem | None = None) -> pg.PlotWidget:
    """Return an empty plot with a title of :data:`TITLE_SIZE` (and this left axis)."""
    plot = pg.PlotWidget(axisItems=None if left is None else {"left": left})
    plot.setTitle(title, size=TITLE_SIZE)
    plot.setAccessibleName(title)
    plot.setAccessibleDescription(NO_POINTS)
    return plot


def latest_points(curves: dict[str, list[tuple[int, float]]], unit: str = "") -> str:
    """Say a plot's latest points, for a screen reader (a plot's accessible description).

    Parameters
    ----------
    curves : dict of str to list of (int, float)
        Each curve's name ("" for a plot of one curve) and its (step, value) points.
    unit : str
        Follows each value, e.g. ``" dB"``.

    Returns
    -------
    str
        ``"step 1200: 38.21 dB"`` or, for several curves, ``"Gaussian levels, one step:
        step 1000: 0.9312; Noise-page doses, blind denoise: step 1000: 0.9105"``;
        :data:`NO_POINTS` where there are none yet.
    """
    said = [
        f"{name + ': ' if name else ''}step {points[-1][0]}: {points[-1][1]:.4g}{unit}"
        for name, points in curves.items()
        if points
    ]
    return "; ".join(said) or NO_POINTS


class RunPage(QWizardPage):
    """Run the training in a separate process and follow its metrics file.

    Signals
    -------
    stateChanged(str)
        The process's state (``running``, ``paused``, ``cancelled``, ``finished``, ``failed``).
    """

    stateChanged = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Run")
        self.setSubTitle(
            "Training runs in its own process. Pause saves a checkpoint and the model; "
            f"{STOP_NOW} stops at once, keeping only the last periodic checkpoint, if any."
        )
        self.process = TrainingProcess(self)
        self.process.stateChanged.connect(self._state)
        self.process.output.connect(self._log)
        self.reader: MetricsReader | None = None
        self.followed: RunSpec | None = None
        self.stale = False
        # The run's checkpoint is a later version's (CheckpointFound.newer): neither resumed,
        # nor started afresh, nor recorded stale; that version resumes it.
        self.newer = False
        self.losses: list[tuple[int, float]] = []
        self.validations: list[tuple[int, float, float]] = []
        self.dose_validations: list[tuple[int, float, float]] = []  # blind denoise at doses
        # Where the settings at doses changed (a resume with others): the curves break there.
        self._dose_settings: dict | None = None
        self._dose_restarts: list[int] = []  # indices into dose_validations
        # Where the SSIM was computed another way (a resume by a later version): its curve
        # breaks there. None is the method of records that name none.
        self._ssim_method: str | None = None
        self._ssim_restarts: list[int] = []  # indices into validations
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

        self.loss_plot = _plot("Training loss", left=DecadeAxis("left"))
        self.loss_plot.setLabel("bottom", "step")
        self.loss_plot.setLabel("left", "loss (log scale)")
        self.loss_plot.setLogMode(y=True)
        # Two decades at least (log10 units): a power of 10 labelled whatever the losses.
        self.loss_plot.getViewBox().setLimits(minYRange=LOSS_MIN_DECADES)
        self.loss_curve = self.loss_plot.plot(pen="y")
        # The two PSNRs are on different scales (6 dB apart for the same error): a plot
        # each, its title naming the validation and its axis the scale.
        self.psnr_plot = _plot(f"Validation PSNR: {GAUSSIAN}")
        self.dose_psnr_plot = _plot(f"Validation PSNR: {DOSES}")
        self.ssim_plot = _plot("Validation SSIM")
        self.psnr_plot.setLabel("left", GAUSSIAN_SCALE)
        self.dose_psnr_plot.setLabel("left", DOSES_SCALE)
        for plot in (self.psnr_plot, self.dose_psnr_plot, self.ssim_plot):
            plot.setLabel("bottom", "step")
        # A flat curve looks flat: no axis spans less than this (autoscale would zoom in
        # to a thousandth of a dB).
        for plot in (self.psnr_plot, self.dose_psnr_plot):
            plot.getViewBox().setLimits(minYRange=PSNR_MIN_RANGE_DB)
        self.ssim_plot.getViewBox().setLimits(minYRange=SSIM_MIN_RANGE)
        self.ssim_plot.addLegend(offset=(-10, -10))
        self.psnr_curve = self.psnr_plot.plot(pen="c", symbol="o", symbolSize=5, name=GAUSSIAN)
        self.ssim_curve = self.ssim_plot.plot(pen="m", symbol="o", symbolSize=5, name=GAUSSIAN)
        self.dose_psnr_curve = self.dose_psnr_plot.plot(
            pen="g", symbol="t", symbolSize=6, name=DOSES
        )
        self.dose_ssim_curve = self.ssim_plot.plot(pen="g", symbol="t", symbolSize=6, name=DOSES)
        self.status = QLabel("Not started.")
        self.status.setWordWrap(True)  # a long state wraps beside the ETA and buttons
        self.eta = QLabel(format_eta(None))
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.cancel_button = QPushButton(STOP_NOW)
        self.cancel_button.setToolTip(STOP_NOW_TIP)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.cancel_button.clicked.connect(self.stop_now)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setMaximumHeight(80)
        self.log.setAccessibleName("Training log")

        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.eta)
        for button in (self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(button)
        plots = QGridLayout()
        plots.addWidget(self.loss_plot, 0, 0)
        plots.addWidget(self.ssim_plot, 0, 1)
        plots.addWidget(self.psnr_plot, 1, 0)
        plots.addWidget(self.dose_psnr_plot, 1, 1)
        layout = QVBoxLayout(self)  # not scrolled: the plots give way, not the rest
        layout.addLayout(plots, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.log)
        self._buttons("idle")

    def start(self, spec: RunSpec, *, resume: bool = False) -> None:
        """Start (or resume) ``spec`` and follow its metrics from the beginning.

        A run that another window or app trains now is not started but followed
        (:meth:`follow`), to be this page's once that stops; nor is one whose folder
        cannot be written, nor a resume of a checkpoint that cannot be read (Start afresh
        is offered; not for one a later version wrote, whose run is left as it is); the
        page says so. The checkpoint is read afresh
        (:func:`~xraygui.wizard.runs.find_checkpoint`).
        """
        self._start(spec, find_checkpoint(spec) if resume else None)

    def _start(self, spec: RunSpec, found: CheckpointFound | None) -> None:
        """Start ``spec`` afresh (``found`` None), or resume it from the checkpoint as read."""
        self._reset(spec)
        self.stale = self.newer = False
        if found is not None and found.newer:
            self._checkpoint_unreadable(spec, found)  # says so; its run.json is left as it is
            return
        if found is not None and found.unreadable:
            self.process.adopt(spec, "failed")  # _state says why and offers Start afresh
            return
        try:
            started = self.process.start(spec, resume=found is not None)
        except ImageWriteError as error:
            self.status.setText(f"Not started: {error}")
            return
        if not started:
            # Followed, so that it is this page's again (to resume or use) once that stops.
            self.note(
                f"{spec.folder} is being trained by another window or app, or by a training "
                "process whose app has closed: following it here; once it stops, it can be "
                "resumed here."
            )
            self.follow(spec)
            self.status.setText(
                f"Not started: {spec.folder.name} is being trained elsewhere: following it."
            )
            return
        self.timer.start()

    def _reset(self, spec: RunSpec) -> None:
        """Follow ``spec``'s metrics from their start, with empty curves."""
        self.followed = None
        self.pause_button.setText("Pause")
        self.reader = MetricsReader(spec.config.metrics_path)
        self.losses.clear()
        self.validations.clear()
        self.dose_validations.clear()
        self._dose_settings = None
        self._dose_restarts.clear()
        self._ssim_method = None
        self._ssim_restarts.clear()
        self._draw()
        self.eta.setText(format_eta(None))

    def follow(self, spec: RunSpec) -> None:
        """Show the progress of a run that another process trains; Stop asks it to pause.

        Nothing here controls that process but its stop file. Once it has ended, the run
        is this page's: finished if its model says all its steps are done, else stopped
        (resumable from its checkpoint).

        Parameters
        ----------
        spec : RunSpec
            A run trained elsewhere (:meth:`xraygui.wizard.runs.RunsFound.trained_elsewhere`).
        """
        if self.process.is_running():
            return
        self._reset(spec)
        self.followed = spec
        self.status.setText("Trained by another process (its app may have closed): following it.")
        self.pause_button.setText("Stop")
        self.pause_button.setEnabled(True)
        self.resume_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.timer.start()
        self.poll()

    def resume(self) -> None:
        """Resume the current run from its checkpoint, or start it again if it has none.

        A run whose data folder changed since it began, or whose checkpoint cannot be
        read (:attr:`stale`), starts afresh on the folder's current files, in its own
        folder: its checkpoint, model and metrics are replaced. A checkpoint found
        unreadable only now is not resumed: the page says so and offers Start afresh. The
        checkpoint is read once, afresh, for the click.
        """
        spec = self.process.spec
        if spec is None or self.process.is_running():
            return
        found = None  # none to resume from: started afresh
        try:
            if self.stale:
                for path in (spec.config.checkpoint_path, spec.output, card_path(spec.output)):
                    path.unlink(missing_ok=True)
            else:
                read = find_checkpoint(spec)
                if self._checkpoint_unreadable(spec, read):
                    self._buttons(self.process.state, read)
                    return
                found = read if read.step is not None else None
            if found is None and not is_locked(spec.output):
                # The records of the steps thrown away are not shown again; a run trained
                # elsewhere keeps its own (start() then refuses it and says so).
                spec.config.metrics_path.unlink(missing_ok=True)
        except OSError as error:
            self.status.setText(f"Not started: {os_error_line(error)}")
            return
        self._start(spec, found)

    def pause(self) -> None:
        """Ask the run to stop with a checkpoint and its model; it says when it has.

        A run followed (:meth:`follow`) is asked through its stop file.
        """
        if self.followed is not None:
            request_stop(self.followed.output)
            self.pause_button.setEnabled(False)
            self.status.setText(f"stopping{self._step()}: saving a checkpoint and the model")
            return
        self.process.pause()
        if self.process.pausing:
            self._buttons(self.process.state)
            self.status.setText(f"pausing{self._step()}: saving a checkpoint and the model")

    def stop_now(self) -> None:
        """Kill the run at once, once asked where more than :data:`FEW_STEPS` steps are lost.

        The steps lost are those logged since its checkpoint (read afresh), or since its
        start where it has none yet.
        """
        spec = self.process.spec
        if spec is None or not self.process.is_running():
            return
        step = self.losses[-1][0] if self.losses else 0
        found = find_checkpoint(spec).step
        kept = 0 if found is None else found[0]
        lost = step - kept
        if lost > FEW_STEPS and not self._confirm_stop_now(lost, kept):
            return
        self.process.cancel()

    def _confirm_stop_now(self, lost: int, kept: int) -> bool:
        """Ask before the steps since the checkpoint are thrown away; True to stop now."""
        since = f"its checkpoint at step {kept}" if kept else "it began (it has no checkpoint)"
        return confirmed(
            self,
            f"Stopping now loses the {lost} steps trained since {since}. Pause keeps them: "
            "it saves a checkpoint and the model first.",
            STOP_NOW,
            title=STOP_NOW,
            keep="Keep training",
            icon=QMessageBox.Icon.Warning,
        )

    def poll(self) -> None:
        """Read new metrics records and update the curves and ETA."""
        if self.reader is None:
            return
        records = self.reader.poll()
        followed = self.followed
        spec = followed or self.process.spec
        for record in records:
            if "validation" in record:
                self._follow_ssim_method(record["step"], record["validation"].get("ssim"))
                _noisy, psnr, ssim = mean_scores(record["validation"])
                self.validations.append((record["step"], psnr, ssim))
                at_doses = mean_dose_scores(record["validation"])
                if at_doses is not None:
                    self._follow_dose_settings(record["step"], dose_settings(record["validation"]))
                    self.dose_validations.append((record["step"], *at_doses[1:]))
            elif "loss" in record:
                self.losses.append((record["step"], record["loss"]))
                self.eta.setText(format_eta(eta_seconds(spec, record)))
                if followed is not None:
                    stopping = not self.pause_button.isEnabled()
                    state = "stopping" if stopping else "trained by another process"
                else:
                    state = "pausing" if self.process.pausing else self.process.state
                self.status.setText(f"{state}: step {record['step']}")
        if records:
            self._draw()
        if followed is not None and not is_locked(followed.output):
            self._followed_ended(followed)

    def _followed_ended(self, spec: RunSpec) -> None:
        """Take over a followed run whose process has ended, as finished or stopped."""
        self.followed = None
        self.pause_button.setText("Pause")
        self.stale = self.newer = False
        state = run_state(spec, "running")
        if state == "running":
            state = "paused" if find_checkpoint(spec).step is not None else "cancelled"
        self.process.adopt(spec, state)

    def _follow_dose_settings(self, step: int, settings: dict | None) -> None:
        """Break the curves at doses where their settings change, and say so in the log.

        A run resumed with other doses (or quanta, noise, crop) scores other cases: its
        means do not continue the curve of the steps before.
        """
        before, self._dose_settings = self._dose_settings, settings
        if not self.dose_validations or before == settings:
            return
        self._dose_restarts.append(len(self.dose_validations))
        self.note(
            f"step {step}: the validation at doses changed "
            f"({settings_change(before or {}, settings or {})}): its curves start again"
        )

    def _follow_ssim_method(self, step: int, method: str | None) -> None:
        """Break the SSIM curve where the SSIM is computed another way, and say so in the log.

        A run resumed by a later version scores SSIM as that version does
        (:data:`core.training.validation.SSIM_METHOD`; records without it used a 7 x 7
        window): the same crops read otherwise, so the curve does not join the two.
        """
        before, self._ssim_method = self._ssim_method, method
        if not self.validations or before == method:
            return
        self._ssim_restarts.append(len(self.validations))
        self.note(
            f"step {step}: the validation SSIM is computed another way: its curve starts again"
        )

    def _draw(self) -> None:
        self.loss_curve.setData([s for s, _ in self.losses], [loss for _, loss in self.losses])
        steps = [v[0] for v in self.validations]
        self.psnr_curve.setData(steps, [v[1] for v in self.validations])
        points = _broken(self.validations, self._ssim_restarts)
        self.ssim_curve.setData([v[0] for v in points], [v[2] for v in points], connect="finite")
        points = _broken(self.dose_validations, self._dose_restarts)
        steps = [v[0] for v in points]
        self.dose_psnr_curve.setData(steps, [v[1] for v in points], connect="finite")
        self.dose_ssim_curve.setData(steps, [v[2] for v in points], connect="finite")
        self.loss_plot.setAccessibleDescription(latest_points({"": self.losses}))
        gaussian = [(v[0], v[1]) for v in self.validations]
        self.psnr_plot.setAccessibleDescription(latest_points({"": gaussian}, " dB"))
        doses = [(v[0], v[1]) for v in self.dose_validations]
        self.dose_psnr_plot.setAccessibleDescription(latest_points({"": doses}, " dB"))
        ssim = {
            GAUSSIAN: [(v[0], v[2]) for v in self.validations],
            DOSES: [(v[0], v[2]) for v in self.dose_validations],
        }
        self.ssim_plot.setAccessibleDescription(latest_points(ssim))

    def _state(self, state: str) -> None:
        if state != "running":
            self.poll()
            self.timer.stop()
            self.eta.setText("done" if state == "finished" else format_eta(None))
        last = self._step()
        self.status.setText(f"{state}{last}")
        spec = self.process.spec
        # Read afresh: whether it is offered, or recorded stale, is decided on it now.
        found = find_checkpoint(spec) if spec is not None and state in STOPPED else None
        checkpoint = None if found is None else found.step
        data_changed = self.process.exit_code == DATA_CHANGED_STATUS
        if state == "failed" and spec is not None and data_changed:
            self.stale = True
            self._record(spec, STALE)  # not offered for resuming again
            self.status.setText("Cannot resume: the data folder has changed.")
            self.note(
                f"The images in {spec.data} have changed since this run began, so it cannot "
                "go on from its checkpoint. Press Start afresh to train anew on the current "
                "files (the run's checkpoint and model are replaced)."
            )
        elif state in STOPPED and checkpoint is not None:
            self.status.setText(f"{state}: Resume from step {checkpoint[0]} (its checkpoint)")
        elif found is not None and checkpoint is None:  # said where it cannot be read
            if not self._checkpoint_unreadable(spec, found):
                # The step logged last: the run may have gone on a little (into the
                # validation and checkpoint due at that step, say) before it stopped.
                when = f" after step {self.losses[-1][0]}" if self.losses else ""
                self.status.setText(
                    f"{state.capitalize()}{when}, before its first checkpoint was written "
                    f"(one every {spec.checkpoint_every} steps): nothing to resume."
                )
        self._buttons(state, found)
        self.stateChanged.emit(state)
        self.completeChanged.emit()

    def _checkpoint_unreadable(self, spec: RunSpec, found: CheckpointFound) -> bool:
        """Whether the run's checkpoint, as ``found`` just read it, cannot be read.

        If so, say why and offer Start afresh. One that a later version wrote
        (:attr:`CheckpointFound.newer`) is whole: it is neither replaced nor recorded
        stale, and nothing is offered (:attr:`newer`).
        """
        why = found.unreadable
        if not why:
            return False
        if found.newer:
            self.newer = True
            self.status.setText(CANNOT_RESUME_NEWER)
            self.note(f"{why}. The run is left as it is, for that version to resume.")
            return True
        self.stale = True
        self._record(spec, STALE)  # not offered for resuming again
        self.status.setText("Cannot resume: the run's checkpoint cannot be read.")
        self.note(
            f"{why}. Press Start afresh to train anew (the run's checkpoint and model are "
            "replaced)."
        )
        return True

    def _record(self, spec: RunSpec, state: str) -> None:
        """Store the run's state; say in the log where it cannot be."""
        why = record_state(spec, state)
        if why:
            line = state_not_recorded(why, state)
            self.note(line[:1].upper() + line[1:])

    def _step(self) -> str:
        return f": step {self.losses[-1][0]}" if self.losses else ""

    def _buttons(self, state: str, found: CheckpointFound | None = None) -> None:
        """Enable the buttons for ``state``; ``found``: the checkpoint just read (None reads it)."""
        running = state == "running"
        self.pause_button.setEnabled(running and not self.process.pausing)
        self.cancel_button.setEnabled(running)
        spec = self.process.spec
        stopped = state in STOPPED and spec is not None
        if stopped and found is None:
            found = find_checkpoint(spec)
        fresh = stopped and found is not None and found.step is None
        again = "Start afresh" if self.stale else "Start again"
        self.resume_button.setText(again if fresh or self.stale else "Resume")
        self.resume_button.setEnabled(stopped and not self.newer)

    def note(self, text: str) -> None:
        """Add a line of the wizard's own to the log under the curves."""
        self._log(text)

    def _log(self, text: str) -> None:
        self.log.appendPlainText(text.rstrip())

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        """Complete once the run has finished (a paused run can be finished later)."""
        return self.process.state == "finished"
