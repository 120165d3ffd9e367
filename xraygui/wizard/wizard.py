"""The Train on Folder wizard: Data, Noise, Training, Run, Result."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from core.cores import usable_cores
from core.errors import os_error_line
from xraygui import models
from xraygui.wizard import runs as run_files
from xraygui.wizard.data_page import DataPage
from xraygui.wizard.noise_page import NoisePage
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import (
    RunSpec,
    discard_run,
    is_unsaved,
    new_run_folder,
    scan_runs,
)
from xraygui.wizard.scan import ScanReport
from xraygui.wizard.training_page import TrainingPage

DATA, NOISE, TRAINING, RUN, RESULT = range(5)
STOP_WAIT_MS = 60_000
"""Time a closing wizard gives its run to pause before it kills it."""
CADENCE = {"log_every": 10, "val_every": 200, "checkpoint_every": 200}
"""Steps between loss records, validations and checkpoints of a new run (:attr:`cadence`)."""
KEPT_STATES = frozenset({"finished", "paused", "cancelled"})
"""States of a run that the Run page keeps when the pages still describe it."""
PREFERRED_SIZE = QSize(820, 640)
"""The wizard's size where the screen has room and its pages need no more."""
FRAME_ROOM = QSize(20, 40)
"""Room left on the screen for the window's frame and title bar."""


def fitted_size(hint: QSize, available: QRect) -> QSize:
    """Return the wizard's size: its size hint, at least :data:`PREFERRED_SIZE`, on the screen.

    Its pages scroll (:func:`xraygui.wizard.common.scrolling_body`; the Run page's plots
    shrink instead), so a screen smaller than that (853 x 480 logical pixels at
    1280 x 720 and 150 %) only makes them scroll.

    Parameters
    ----------
    hint : QSize
        The wizard's size hint (larger with a large font).
    available : QRect
        The screen's available geometry.

    Returns
    -------
    QSize
    """
    room = available.size() - FRAME_ROOM
    return hint.expandedTo(PREFERRED_SIZE).boundedTo(room)


class TrainWizard(QWizard):
    """Train a model on a folder, in a separate process, and save it for the model picker.

    Parameters
    ----------
    current_model : Path or None
        The model selected in the app (offered for fine-tuning).
    runs : Path or None
        Folder of run folders; :func:`xraygui.wizard.runs.runs_root` by default.
    model_dir : Path or None
        Where models are saved; :func:`xraygui.models.user_model_dir` by default.
    parent : QWidget or None
        The owner window.

    Attributes
    ----------
    cadence : dict
        ``log_every``, ``val_every`` and ``checkpoint_every`` of new runs
        (:data:`CADENCE` by default; tests make them small).

    Signals
    -------
    modelSaved(object)
        The Path of a model saved from the Result page.
    """

    modelSaved = Signal(object)

    def __init__(
        self,
        current_model: Path | None = None,
        *,
        runs: Path | None = None,
        model_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train on Folder")
        self.runs = runs or run_files.runs_root()
        found = scan_runs(self.runs)  # once: each run's files are read once
        self.data_page = DataPage(
            found.unfinished(),
            elsewhere=found.trained_elsewhere(),
            unsaved=found.unsaved(),
            unreadable=found.unreadable,
            progress=found.progress(),
        )
        self.noise_page = NoisePage()
        self.training_page = TrainingPage(current_model)
        self.run_page = RunPage()
        self.result_page = ResultPage(model_dir or models.user_model_dir())
        for page_id, page in enumerate(
            (self.data_page, self.noise_page, self.training_page, self.run_page, self.result_page)
        ):
            self.setPage(page_id, page)
        self.data_page.scanned.connect(self._scanned)
        self.data_page.resumeRequested.connect(self.resume_run)
        self.data_page.followRequested.connect(self.follow_run)
        self.data_page.resultRequested.connect(self.open_result)
        # The Data page counts and splits the images as a run of these settings will.
        self.training_page.patch.valueChanged.connect(self._training_size_changed)
        self.training_page.binning.valueChanged.connect(self._training_size_changed)
        self._training_size_changed()
        self.result_page.saved.connect(self.modelSaved)
        self._resume: RunSpec | None = None
        self._follow: RunSpec | None = None
        self._result: RunSpec | None = None
        self._new_folder: Path | None = None
        self._closing: int | None = None
        self._stop_wait = QTimer(self)
        self._stop_wait.setSingleShot(True)
        self._stop_wait.setInterval(STOP_WAIT_MS)
        self._stop_wait.timeout.connect(self.run_page.process.cancel)
        self.run_page.process.stateChanged.connect(self._run_state)
        self.cadence = dict(CADENCE)
        self.resize(fitted_size(self.sizeHint(), self.screen().availableGeometry()))

    def _training_size_changed(self) -> None:
        page = self.training_page
        self.data_page.set_training_size(page.patch.value(), page.binning.value())
        page.show_selection(self.data_page.report)

    def _scanned(self, report: ScanReport) -> None:
        path, frame = report.preview or (None, 0)
        self.noise_page.set_image(path, frame=frame)
        self.noise_page.set_held_out(report.val_patients)
        self.training_page.show_selection(report)

    def spec(self, folder: Path) -> RunSpec:
        """Return the run the pages describe.

        Parameters
        ----------
        folder : Path
            Its run folder.

        Returns
        -------
        RunSpec
        """
        data = Path(self.data_page.folder.text())
        steps, minutes = self.training_page.length()
        page = self.training_page
        return RunSpec(
            data=data,
            folder=folder,
            steps=steps,
            minutes=minutes,
            batch_size=page.batch.value(),
            patch_size=page.patch.value(),
            binning=page.binning.value(),
            lr=page.learning_rate(),
            device=page.device.currentText(),
            init_model=page.init_model(),
            architecture=page.architecture.currentText(),
            dose_range=self.noise_page.dose_range(),
            electronic_noise=self.noise_page.electronic.typed_value(),
            val_photons=self.noise_page.val_photons(),
            threads=max(1, usable_cores() - 1),
            ignore_patient_table=self.data_page.ignores_tables(),
            **self.cadence,
        )

    def resume_run(self, spec: RunSpec) -> None:
        """Go straight to the Run page and resume ``spec`` from its checkpoint."""
        self._resume = spec
        self.setStartId(RUN)
        self.restart()

    def follow_run(self, spec: RunSpec) -> None:
        """Go to the Run page and follow ``spec``, which another process trains."""
        self._follow = spec
        self.setStartId(RUN)
        self.restart()

    def open_result(self, spec: RunSpec) -> None:
        """Go to the Result page of ``spec``, a finished run, to save its model."""
        self._result = spec
        self.setStartId(RESULT)
        self.restart()

    def validateCurrentPage(self) -> bool:  # noqa: N802 (Qt override)
        """Let Next leave the page; the Training page first creates the new run's folder.

        The folder is created here rather than on the Run page, so that a data folder
        that cannot be written (a read-only or missing home, a locked-down profile) is
        reported in a message box and the wizard stays on the Training page.

        Returns
        -------
        bool
            Whether the wizard may go on.
        """
        if not super().validateCurrentPage():
            return False
        if self.currentId() == TRAINING and not self.training_page.isComplete():
            return False  # Next is disabled; next() must not get past it either
        if self.currentId() != TRAINING or self.run_page.process.is_running() or self._keeps_run():
            return True
        try:
            self._new_folder = new_run_folder(self.runs)
        except OSError as error:
            QMessageBox.warning(
                self, "Train on Folder", f"Cannot create the training folder {os_error_line(error)}"
            )
            return False
        return True

    def initializePage(self, page_id: int) -> None:  # noqa: N802 (Qt override)
        """Prepare a page entered by Next (or :meth:`restart`), not by Back.

        The Run page resumes a requested run, keeps its run when that is the one the
        pages describe (finished or stopped: its Resume button continues it), and
        otherwise starts a new run in the folder :meth:`validateCurrentPage` created;
        earlier runs stay in theirs. A run still going keeps its settings, and the page
        says how to use the new ones.
        The Result page shows the Run page's run.
        """
        super().initializePage(page_id)
        process = self.run_page.process
        if page_id == RUN and process.is_running() and not self._describes_run():
            self.run_page.note(
                "The run going on keeps its settings. To train with the new ones, pause or "
                "cancel it, then press Back and Next."
            )
        elif page_id == RUN and not process.is_running():
            if self._resume is not None:
                spec, self._resume = self._resume, None
                self.run_page.start(spec, resume=True)
            elif self._follow is not None:
                spec, self._follow = self._follow, None
                self.run_page.follow(spec)
            elif self._new_folder is not None:
                folder, self._new_folder = self._new_folder, None
                self.run_page.start(self.spec(folder))
        elif page_id == RESULT and (self._result or process.spec) is not None:
            spec, self._result = self._result or process.spec, None
            self.result_page.show_run(spec)

    def _keeps_run(self) -> bool:
        return self.run_page.process.state in KEPT_STATES and self._describes_run()

    def _describes_run(self) -> bool:
        """Whether the pages describe the Run page's run (its data and every setting)."""
        spec = self.run_page.process.spec
        return spec is not None and self.spec(spec.folder) == spec

    def done(self, result: int) -> None:
        """Close, once a run going on has paused (checkpointed, exported, resumable).

        Nothing waits on the GUI thread: the wizard asks the run to pause, says so, stays
        open until it has, and keeps the app from quitting meanwhile (the app's main
        window may be closing). The run is killed instead at a second close, or when it
        has not paused within :data:`STOP_WAIT_MS`.

        Parameters
        ----------
        result : int
            The dialog's result code.
        """
        process = self.run_page.process
        if process.is_running():
            if self._closing is not None:
                process.cancel()
                return
            self._closing = result
            handle = self.windowHandle()
            if handle is not None:  # a window of its own keeps the app open until it closes
                handle.setTransientParent(None)
            self.run_page.pause()
            self.run_page.note(
                "Closing once the run has paused, with a checkpoint and the model saved; "
                "close again to stop it at once."
            )
            self._stop_wait.start()
            return
        self._closing = None
        self._stop_wait.stop()
        if not self._settle_unsaved():
            return
        self.data_page.stop_scan()  # never waited for: a large file or a slow share
        super().done(result)

    def unsaved_run(self) -> RunSpec | None:
        """Return the run shown whose model finished but was neither saved nor discarded, if any."""
        for spec in (self.result_page.spec, self.run_page.process.spec):
            if spec is not None and spec != self.result_page.saved_run and is_unsaved(spec):
                return spec
        return None

    def _settle_unsaved(self) -> bool:
        """Ask what to do with an unsaved finished model; False to stay open (Back).

        Save saves it under the Result page's name (the page says why when it cannot,
        and the wizard stays open); Discard deletes its run folder.
        """
        spec = self.unsaved_run()
        if spec is None:
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Train on Folder",
            f"The model trained in {spec.folder.name} has not been saved. Save it to your "
            "models, discard it (its run folder is deleted), or go back?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Cancel).setText("Back")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        choice = box.exec()
        if choice == QMessageBox.StandardButton.Discard:
            discard_run(spec)
            return True
        if choice != QMessageBox.StandardButton.Save:
            return False
        if self.result_page.spec != spec:
            self.result_page.show_run(spec)
        if self.result_page.save() is not None:
            return True
        QMessageBox.warning(self, "Train on Folder", self.result_page.message.text())
        return False

    @property
    def closing(self) -> bool:
        """Whether the wizard waits for its run to pause before it closes."""
        return self._closing is not None

    def _run_state(self, state: str) -> None:
        if self._closing is None or state == "running":
            return
        if state == "failed":  # stay open: the log says why, and nothing was saved
            self._closing = None
            self._stop_wait.stop()
            self.run_page.note("The run failed while pausing (see the log above); not closed.")
            return
        self.done(self._closing)
