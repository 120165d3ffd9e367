"""Page 1: pick a folder; a background scan says what it holds and how it splits.

What the page calls usable is what training uses: readable images large enough for a
training patch (:func:`core.training.selection.select_images`), so its counts and split
follow the patch size and binning (:meth:`DataPage.set_training_size`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from core.errors import error_line, os_error_line
from core.io.paths import resolved
from core.io.safe_text import text_safe
from core.training.control import request_stop
from core.training.patient_table import IGNORE_OPTION, PatientTableError
from core.training.selection import one_patient_hint
from xraygui.wizard.common import (
    confirmed,
    counted,
    grey_pixmap,
    scrolling_body,
    terms_sentence,
)
from xraygui.wizard.lock import is_locked
from xraygui.wizard.result_page import run_folder_contents
from xraygui.wizard.runs import (
    RunProgress,
    RunSpec,
    UnreadableRun,
    delete_run_folder,
    read_run,
)
from xraygui.wizard.scan import DEFAULTS, THUMBNAIL, ScanReport, scan_folder
from xraygui.worker import GeneratorWorker

IGNORE_TABLE = "Ignore data.csv (split by DICOM patient, else by file)"
"""The check box that scans, and trains, without the folder's ``data.csv`` tables."""
TICK_IGNORE_TABLE = ', or tick "Ignore data.csv" below'
"""What a refused table's message says to do in the wizard, for the command line's option."""
TABLES_IGNORED = "data.csv ignored, as ticked below: split by DICOM patient, else by file."
UNREADABLE_SHOWN = 3
"""Run folders that cannot be read named on the page; the others are counted (all in its
tooltip)."""
NO_IMAGES = "No images found in this folder (DICOM, PNG, TIFF or JPEG, searched recursively)."
BLANK_FOLDER = (
    "every image read has one value throughout (a blank frame), and training leaves blank "
    "frames out: there is nothing to train on. See the unusable files below."
)
CAPTION_WIDTH = THUMBNAIL * 3 // 2
"""Widest a thumbnail's caption runs, in pixels, before its middle is elided."""
STATE_SHOWN = {"cancelled": "stopped", "running": "interrupted (its app closed)"}
"""How a run's state in ``run.json`` reads in its line, where not as stored."""
MB = 1e6


LONGEST_UNBROKEN = 40
"""Most characters a label's line runs without a place to wrap (:func:`breakable`)."""
_UNBROKEN = re.compile(rf"[^\s/\u200b]{{{LONGEST_UNBROKEN}}}")


def breakable(text: str) -> str:
    """Let a label wrap `text` within long names, with zero-width spaces.

    One follows each ``/``, and every :data:`LONGEST_UNBROKEN` characters without one (a
    Windows path's, say): a 200-character folder name made the wizard 1540 px wide, Qt
    wrapping at spaces.

    Parameters
    ----------
    text : str
        One line.

    Returns
    -------
    str
        It, reading the same.
    """
    text = text.replace("/", "/\u200b")
    return _UNBROKEN.sub(lambda match: match[0] + "\u200b", text)


def _unreadable_label(unreadable: list[UnreadableRun]) -> QLabel:
    """Name the first run folders that cannot be read, count the others; all in the tooltip."""
    lines = [run.message() for run in unreadable]
    shown = lines[:UNREADABLE_SHOWN]
    if len(lines) > UNREADABLE_SHOWN:
        shown.append(f"and {len(lines) - UNREADABLE_SHOWN} more run folders could not be read")
    label = QLabel("\n".join(breakable(line) for line in shown))
    label.setTextFormat(Qt.TextFormat.PlainText)  # paths, not markup
    label.setWordWrap(True)
    label.setToolTip("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return label


def _run_named(spec: RunSpec) -> str:
    r"""Name a run's folder and its data, for a label (names not UTF-8 as ``\xNN``)."""
    return f"{text_safe(spec.folder.name)} (data {text_safe(str(spec.data))})"


def _run_line(spec: RunSpec, progress: RunProgress | None) -> str:
    """Say a run's folder (its date and time), data folder, state and step, in one line.

    The step is its checkpoint's, which a resume starts from: of all its steps, or with
    the minutes spent of its time budget.
    """
    if progress is None:
        return _run_named(spec)
    state = STATE_SHOWN.get(progress.state, progress.state)
    if progress.checkpoint is None:
        return f"{_run_named(spec)}: {state}"
    step, seconds = progress.checkpoint
    if spec.minutes is None:  # all its steps
        return f"{_run_named(spec)}: {state}, step {step} of {spec.steps}"
    return f"{_run_named(spec)}: {state}, step {step}, {seconds / 60:.1f} of {spec.minutes:g} min"


def _holds(spec: RunSpec) -> bool:
    """Whether the run's folder still holds the run: its ``run.json`` reads as ``spec``."""
    try:
        return read_run(spec.folder)[0] == spec
    except (OSError, ValueError):
        return False


class RunRow(QWidget):
    """One run offered on the Data page: its line and its buttons.

    Parameters
    ----------
    spec : RunSpec
        The run.
    text : str
        Its line (:func:`_run_line`).
    buttons : list of (str, callable)
        Each button's caption and what it does, given the row.
    """

    def __init__(
        self, spec: RunSpec, text: str, buttons: list[tuple[str, Callable[[RunRow], None]]]
    ) -> None:
        super().__init__()
        self.spec = spec
        self.label = QLabel(breakable(text))
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # names, not markup
        self.label.setWordWrap(True)
        self.label.setToolTip(text_safe(str(spec.folder)))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        self.buttons: dict[str, QPushButton] = {}
        for caption, act in buttons:
            button = QPushButton(caption)
            button.clicked.connect(self._pressed(act))
            row.addWidget(button)
            self.buttons[caption] = button

    def _pressed(self, act: Callable[[RunRow], None]) -> Callable[[], None]:
        """Return a button's slot: ``act`` on this row (a slot of no arguments: Qt passes none)."""
        return lambda: act(self)

    def say(self, text: str, *, done: bool = False) -> None:
        """Show ``text`` in place of the run's line; ``done``: the run is gone, its buttons too."""
        self.label.setText(breakable(text))
        for button in self.buttons.values():
            button.setVisible(not done)


class DataPage(QWizardPage):
    """Choose the training folder and show the scan; offer the runs left from before.

    Parameters
    ----------
    unfinished : list of RunSpec
        Runs that stopped early and can be resumed.
    elsewhere : list of RunSpec
        Runs that another process trains now (as one whose app has died): they can be
        followed, or stopped through their stop file.
    unsaved : list of RunSpec
        Finished runs whose model was neither saved nor discarded.

        Each unsaved and unfinished run is offered on a line of its own (a
        :class:`RunRow`: its folder, named by its date and time, its data folder, state
        and step), under the folder chooser, those of the chosen folder first; an
        unfinished one can be discarded there, once asked.
    unreadable : list of UnreadableRun
        Run folders whose ``run.json`` cannot be read (one a later version wrote): the
        first :data:`UNREADABLE_SHOWN` are named, with the reason and their checkpoint,
        under the folder chooser, the others counted; all are in the tooltip
        (:attr:`unreadable_label`).
    progress : mapping of Path to RunProgress, optional
        Each run's state and checkpoint step, by run folder, for its line
        (:meth:`xraygui.wizard.runs.RunsFound.progress`); a run not in it is named only.

    Signals
    -------
    scanned(object)
        The :class:`ScanReport` of a finished scan.
    resumeRequested(object)
        The :class:`RunSpec` the user wants to resume.
    followRequested(object)
        The :class:`RunSpec` trained elsewhere whose progress the user wants to see.
    resultRequested(object)
        The finished, unsaved :class:`RunSpec` whose result the user wants to open.
    """

    scanned = Signal(object)
    resumeRequested = Signal(object)
    followRequested = Signal(object)
    resultRequested = Signal(object)

    def __init__(
        self,
        unfinished: list[RunSpec],
        *,
        elsewhere: list[RunSpec] | None = None,
        unsaved: list[RunSpec] | None = None,
        unreadable: list[UnreadableRun] | None = None,
        progress: Mapping[Path, RunProgress] | None = None,
    ) -> None:
        super().__init__()

        def opened(row: RunRow) -> None:
            self.resultRequested.emit(row.spec)

        def resumed(row: RunRow) -> None:
            self.resumeRequested.emit(row.spec)

        self.setTitle("Data")
        self.setSubTitle("Pick a folder of radiographs (PNG, TIFF, JPEG, DICOM; subfolders too).")
        self.report: ScanReport | None = None
        self.worker: GeneratorWorker | None = None
        self._unfinished = unfinished
        self._elsewhere = elsewhere or []
        self._unsaved = unsaved or []
        self._training_size = (DEFAULTS.patch_size, DEFAULTS.binning)
        self._folder: Path | None = None  # the folder chosen last

        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Folder of training images")
        self.folder.setAccessibleName("Training folder")
        self.folder.editingFinished.connect(lambda: self.set_folder(self.folder.text()))
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse)
        self.progress = QProgressBar()
        self.progress.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.thumbnails = QListWidget()
        self.thumbnails.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.thumbnails.setMinimumHeight(THUMBNAIL + 30)
        self.thumbnails.setAccessibleName("Usable images")
        self.unusable = QListWidget()
        self.unusable.setMaximumHeight(90)
        self.unusable.setAccessibleName("Unusable files")
        # Shown where the folder has a data.csv: training passes --ignore-patient-table.
        self.ignore_table = QCheckBox(IGNORE_TABLE)
        self.ignore_table.hide()
        self.ignore_table.toggled.connect(self._ignore_table_toggled)

        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(scrolling_body(self))
        if self._elsewhere:
            spec = self._elsewhere[0]
            self.follow_label = self._offer(
                layout,
                f"A run is being trained by another process (its app may have closed): "
                f"{_run_named(spec)}.",
                [("Follow", lambda: self.followRequested.emit(spec)), ("Stop", self._stop)],
            )
        layout.addLayout(row)
        # Under the folder chooser, the chosen folder's runs first (:meth:`_arrange`).
        progress = progress or {}
        self.result_heading = QLabel()
        self.result_rows = [
            RunRow(spec, _run_line(spec, progress.get(spec.folder)), [("Open result", opened)])
            for spec in self._unsaved
        ]
        self.resume_heading = QLabel()
        self.resume_rows = [
            RunRow(
                spec,
                _run_line(spec, progress.get(spec.folder)),
                [("Resume it", resumed), ("Discard", self._discard)],
            )
            for spec in unfinished
        ]
        self._run_lists = []
        for heading, rows in (
            (self.result_heading, self.result_rows),
            (self.resume_heading, self.resume_rows),
        ):
            box = QVBoxLayout()
            layout.addLayout(box)
            self._run_lists.append((rows, box))
            box.addWidget(heading)
            for run_row in rows:
                box.addWidget(run_row)
        self._say_counts()
        self._arrange(None)
        if unreadable:  # under the folder chooser: however many, they do not push it away
            self.unreadable_label = _unreadable_label(unreadable)
            layout.addWidget(self.unreadable_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.ignore_table)
        layout.addWidget(self.thumbnails, 1)
        layout.addWidget(QLabel("Unusable files (or frames):"))
        layout.addWidget(self.unusable)

    @staticmethod
    def _offer(
        layout: QVBoxLayout, text: str, buttons: list[tuple[str, Callable[[], None]]]
    ) -> QLabel:
        """Add a line that offers a run, with its buttons; return its label."""
        label = QLabel(breakable(text))
        label.setTextFormat(Qt.TextFormat.PlainText)  # names, not markup
        label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(label, 1)
        for caption, slot in buttons:
            button = QPushButton(caption)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        return label

    def _say_counts(self) -> None:
        """Head the lists of runs with how many are offered (those discarded are not)."""
        saved = len(self._unsaved)
        self.result_heading.setText(
            "A finished run's model has not been saved:"
            if saved == 1
            else f"{saved} finished runs' models have not been saved:"
        )
        self.result_heading.setVisible(saved > 0)
        left = len(self._unfinished)
        self.resume_heading.setText(
            "An unfinished run can be resumed:"
            if left == 1
            else f"{left} unfinished runs can be resumed or discarded:"
        )
        self.resume_heading.setVisible(left > 0)

    def _arrange(self, folder: Path | None) -> None:
        """List the runs of ``folder`` (the chosen one) first, the others newest first.

        The first line of each list is :attr:`result_label` and :attr:`resume_label`.
        """
        for rows, box in self._run_lists:
            shown = sorted(rows, key=lambda row: resolved(row.spec.data) != folder)
            for run_row in shown:
                box.removeWidget(run_row)
            for run_row in shown:
                box.addWidget(run_row)
            if shown and rows is self.result_rows:
                self.result_label = shown[0].label
            elif shown:
                self.resume_label = shown[0].label

    def _discard(self, row: RunRow) -> None:
        """Delete an unfinished run's folder, once asked, unless a process trains it now."""
        spec = row.spec
        name = text_safe(spec.folder.name)
        if not self._confirm_discard(spec):
            return
        if is_locked(spec.output):  # resumed meanwhile, in another window or app
            row.say(f"{name} is being trained now, by another window or app: not discarded.")
            return
        if not _holds(spec):  # never a folder that its run.json no longer names
            row.say(f"{name} was not discarded: {text_safe(str(spec.folder))} no longer holds it.")
            return
        try:
            freed = delete_run_folder(spec)
        except OSError as error:
            row.say(f"{name} was not wholly discarded: {os_error_line(error)}")
            return
        self._unfinished.remove(spec)
        row.say(f"Discarded {name}: its run folder was deleted ({freed / MB:.0f} MB).", done=True)
        self._say_counts()

    def _confirm_discard(self, spec: RunSpec) -> bool:
        """Ask before an unfinished run's folder is deleted; True to delete it."""
        return confirmed(
            self,
            f"{run_folder_contents(spec)} Discard the run? Its folder is deleted, and the run "
            "cannot be resumed.",
            "Discard",
        )

    def _stop(self) -> None:
        """Ask the run trained elsewhere to stop: it saves a checkpoint and its model."""
        spec = self._elsewhere[0]
        request_stop(spec.output)
        self.follow_label.setText(
            breakable(
                f"{text_safe(spec.folder.name)} was asked to stop; it saves a checkpoint and "
                "its model, then it can be resumed (open the wizard again, or Follow it to the "
                "end)."
            )
        )

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Training folder", self.folder.text())
        if folder:
            self.set_folder(folder, again=True)  # chosen anew: its files may have changed

    def set_folder(self, folder: str | Path, *, again: bool = False) -> GeneratorWorker | None:
        """Scan ``folder`` in the background (a running scan is abandoned).

        Parameters
        ----------
        folder : str or Path
            The training folder; a relative one (or ``~/...``) is taken from the app's
            working folder and shown, and trained on, as an absolute path (training runs
            in its run folder).
        again : bool
            Scan it even if it is the folder scanned last (files may have been added).

        Returns
        -------
        GeneratorWorker or None
            The scan, or None when nothing is scanned (the same folder, no folder, or not
            a folder).
        """
        if not str(folder).strip():
            return None
        path = resolved(Path(str(folder).strip()).expanduser())
        if path != self._folder:  # another folder: its tables are used unless told
            self._folder = path
            self.ignore_table.blockSignals(True)
            self.ignore_table.setChecked(False)
            self.ignore_table.blockSignals(False)
            self.ignore_table.hide()
        self.folder.setText(str(path))
        self._arrange(path)
        if self.report is not None and self.report.folder == path and not again:
            return None
        if self.worker is not None:
            # Abandoned: it stops at its next file, keeping itself until its thread ends,
            # and the slots below ignore whatever it still sends.
            self.worker.quit()
            self.worker = None
        self.report = None
        self.thumbnails.clear()
        self.unusable.clear()
        self.completeChanged.emit()
        if not path.is_dir():
            self.summary.setText(f"{path} is not a folder.")
            return None
        self.summary.setText("Scanning...")
        self.progress.show()
        # The option only where it is ticked: a scan function stays callable with a folder.
        options = {"ignore_tables": True} if self.ignore_table.isChecked() else {}
        worker = GeneratorWorker(scan_folder, path, **options)
        worker.yielded.connect(self._progress)
        worker.returned.connect(self._show)
        worker.errored.connect(self._failed)
        worker.finished.connect(self._ended)
        self.worker = worker
        worker.start()
        return worker

    def stop_scan(self) -> None:
        """Abandon a scan going on, without waiting for it (the wizard is closing).

        It stops after the file, or the walk of the folder, it is in, and nothing it sends
        from now on reaches the page; it keeps itself until its thread ends, for which the
        app's exit waits.
        """
        if self.worker is not None:
            self.worker.detach()
            self.worker = None
            self.progress.hide()

    def _current(self) -> bool:
        """Whether the signal being handled comes from the scan of the folder shown."""
        return self.worker is not None and self.sender() is self.worker

    def _progress(self, value: tuple[int, int]) -> None:
        if self._current():
            self.progress.setRange(0, value[1])
            self.progress.setValue(value[0])

    def _failed(self, error: Exception) -> None:
        if self._current():  # a data.csv that cannot be used, say: training would refuse too
            line = error_line(error)
            if isinstance(error, PatientTableError):  # the wizard's way round it, not the CLI's
                line = line.replace(f" (or train with {IGNORE_OPTION})", TICK_IGNORE_TABLE)
                self.ignore_table.show()
            line = html.escape(line)
            self.summary.setText(f"<b>Training cannot use this folder:</b> {line}")

    def _ignore_table_toggled(self) -> None:
        """Scan the folder again, with or without its tables, as training will split it."""
        if self._folder is not None:
            self.set_folder(self._folder, again=True)

    def ignores_tables(self) -> bool:
        """Whether the run splits without the folder's ``data.csv`` tables."""
        return self.ignore_table.isChecked()

    def _ended(self) -> None:
        if self._current():
            self.worker = None
            self.progress.hide()

    def set_training_size(self, patch_size: int, binning: int) -> None:
        """Count and split the images as a run with this patch size and binning will.

        Parameters
        ----------
        patch_size : int
            Side of the training patches (the Training page's).
        binning : int
            Training images are averaged over ``binning x binning`` blocks first.
        """
        self._training_size = (patch_size, binning)
        if self.report is not None:
            self.report.select(patch_size=patch_size, binning=binning)
            self._display(self.report)
            self.completeChanged.emit()

    def _show(self, report: ScanReport) -> None:
        if not self._current():
            return
        self.report = report
        self.ignore_table.setVisible(bool(report.tables))
        patch_size, binning = self._training_size
        if (report.patch_size, report.binning) != self._training_size:
            report.select(patch_size=patch_size, binning=binning)
        self._display(report)
        self.scanned.emit(report)
        self.completeChanged.emit()

    def _display(self, report: ScanReport) -> None:
        """Show a report's summary, thumbnails and unusable files (as training counts them)."""
        ignored = report.tables_ignored and bool(report.tables)
        self.summary.setText(
            (self._nothing_read(report) or self._counts(report))
            + (f"<br><b>{TABLES_IGNORED}</b>" if ignored else "")
            + f"<br>{terms_sentence(report.terms, recorded=False)}"
            + "".join(f"<br><b>Note:</b> {html.escape(note)}" for note in report.split_notes)
        )
        self.thumbnails.clear()
        metrics = self.thumbnails.fontMetrics()
        for path, grey in report.usable_thumbnails():
            # From the chosen folder: files of different patients' folders share names.
            name = text_safe(str(path.relative_to(report.folder)))
            caption = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, CAPTION_WIDTH)
            item = QListWidgetItem(QIcon(grey_pixmap(grey)), caption)
            item.setToolTip(str(path))
            self.thumbnails.addItem(item)
        self.unusable.clear()
        for path, reason in report.unusable:
            self.unusable.addItem(f"{path.relative_to(report.folder)}: {reason}")

    @classmethod
    def _counts(cls, report: ScanReport) -> str:
        """Count the usable images by format, modality, body part and size; say the split."""

        def counts(counter) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "-"

        binned = f", binned {report.binning} x {report.binning}" if report.binning > 1 else ""
        return (
            f"<b>{counted(report.n_usable, 'usable image')}</b> from "
            f"{counted(report.n_usable_files, 'file')} "
            f"(every frame of a multi-frame file is an image; {report.patch_size} px training "
            f"patches{binned}), {len(report.unusable)} unusable.<br>"
            f"Formats: {counts(report.formats)}<br>"
            f"Modality: {counts(report.modalities)}; body part: {counts(report.body_parts)}<br>"
            f"Sizes: {report.size_range()}<br>" + cls._split_line(report)
        )

    @staticmethod
    def _nothing_read(report: ScanReport) -> str:
        """Say why no image can be trained on (none found, readable or not blank); "" if one can."""
        if report.readable and not report.all_blank:
            return ""
        if report.readable:
            return f"<b>No usable image:</b> {BLANK_FOLDER}"
        if report.n_image_files == 0:
            return f"<b>{NO_IMAGES}</b>"
        files = "image file" if report.n_image_files == 1 else f"{report.n_image_files} image files"
        none = "The" if report.n_image_files == 1 else "None of the"
        return f"<b>{none} {files} could be read:</b> see the unusable files below."

    @staticmethod
    def _split_line(report: ScanReport) -> str:
        """Say how the usable images split, or why none is usable yet."""
        if report.n_usable == 0:
            binned = f" binned {report.binning} x {report.binning}" if report.binning > 1 else ""
            return (
                f"<b>No image holds a {report.patch_size} px patch{binned}</b> even magnified: "
                "choose a smaller patch size (or binning) on the Training page."
            )
        line = (
            f"Split {report.split_kind}: training {counted(report.train_images, 'image')} of "
            f"{counted(report.train_patients, 'patient/study', 'patients/studies')}, "
            f"validation {counted(report.val_images, 'image')} of "
            f"{counted(report.val_patients, 'patient/study', 'patients/studies')} "
            "(whole patients held out)."
        )
        if report.val_images == 0 and report.selection is not None:
            hint = one_patient_hint(report.selection, joined_by_pixels=report.joined_by_pixels)
            line += (
                "<br><b>Nothing is held out</b> (one patient or study): the new model will "
                "not be scored" + (f"; {html.escape(hint, quote=False)}." if hint else ".")
            )
        return line

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        """Complete once a scan read at least one image that is not blank.

        The Training page blocks a patch size that no image holds, so images too small
        for the default patch can still be trained on with a smaller one.
        """
        return self.report is not None and bool(self.report.readable) and not self.report.all_blank
