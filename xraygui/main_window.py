"""The main window: opens images, shows Before | After, runs the denoiser, exports.

It holds the state of one session (the open image, its reference, the result and
its step trajectory) and wires the widgets of the other modules to ``core``.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QDeadlineTimer, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core import __version__
from core.denoise import DenoiseResult
from core.denoise.tiling import size_multiple
from core.device import device_label, select_device
from core.display import (
    AUTO_PERCENTILES,
    auto_window,
    image_auto_window,
    to_display,
    to_display_part,
    window_function,
)
from core.errors import (
    ImageReadError,
    ImageWriteError,
    XrayError,
    collecting_warnings,
    error_line,
)
from core.image import StoredMapping, VoiLut, Window, XrayImage
from core.io import write_image
from core.io.dicom_write import OPERATION_MAX
from core.io.notice import DISCLAIMER
from core.io.paths import resolved
from core.io.sniff import IMAGE_SUFFIXES
from core.io.source_record import records_by_description, source_record
from core.metrics import Region, scale_mismatch
from core.noise import LowDoseSettings, NoiseEstimate, describe_simulation
from core.noise.dose import dose_operation, dose_percent
from core.noise.value_range import metric_range_problem
from xraygui import jobs, reports
from xraygui.about import about_text
from xraygui.analysis import Comparison, clip_region, comparisons, noise_estimate, noise_sigma
from xraygui.browser import BrowserDock
from xraygui.busy import busy
from xraygui.catalog import scan_images
from xraygui.compact import VerticalScroll
from xraygui.controls import ControlPanel, DenoiseOptions
from xraygui.dialogs import (
    ReportOptionsDialog,
    SimulateDoseDialog,
    WindowLevelDialog,
    image_noise,
)
from xraygui.exact_spinbox import shown_percent, whole_number_text
from xraygui.keys import KeysForFocusedWidgets
from xraygui.metrics_panel import MetricsPanel
from xraygui.minified import BlockStats, minified_grey
from xraygui.models import BUNDLED, find_models, is_shipped, remember, stored_path
from xraygui.panes import TITLES, ZOOM_STEP, ComparisonView, OutlinedRectROI
from xraygui.reading import read_in_worker
from xraygui.readout import ElidingLabel, PaneValues, cursor_text
from xraygui.session import (
    SetAside,
    Shown,
    demo_shape,
    image_name,
    residual_grey,
    residual_spread,
    result_warning,
    self_reference,
    uncertainty_description,
)
from xraygui.tag_browser import TagBrowser
from xraygui.theme import DARK_INTERFACE_KEY, set_dark_interface
from xraygui.timeline import Frame, TimelineWidget, Trajectory
from xraygui.visible import MARGIN, Part, Place, part_in_sight, stand_in
from xraygui.wizard import TrainWizard
from xraygui.worker import GeneratorWorker

UNCERTAINTY_FILTER = "TIFF, 32-bit float (*.tif *.tiff)"
"""The uncertainty map's export dialog filter: it is written as float32 pixel values."""
OPEN_FILTER = "Images (*.dcm *.dicom *.png *.tif *.tiff *.jpg *.jpeg *.npy);;All files (*)"
EXPORT_SUFFIXES = {
    "DICOM (*.dcm)": ".dcm",
    "PNG, 8 or 16-bit as the source (*.png)": ".png",
    "TIFF (*.tif)": ".tif",
}
"""The export dialog's filters and the extension each gives a name typed without one."""
EXPORT_FILTER = ";;".join(EXPORT_SUFFIXES)
MAX_RECENT = 10
QT_FILE_DIALOG_GROUP = "FileDialog"
"""The group of Qt's user-scope ``QtProject`` settings where its own file dialogs keep the
folders visited (``history``, ``lastVisited``, ``shortcuts``) and their layout."""
MINIFIED_KEPT = 3
"""Block statistics kept (Before, After and the step shown before one of them)."""
ZOOM_SETTLE_MS = 40
"""After a zoom step, the panes are drawn again at its minification once no other step
has come for this long (the view scales the old picture meanwhile)."""
PART_SHRINK = 4
"""Zoomed in, the part of the image drawn is made anew once it holds this many times the
pixels of the part now in sight (with its margin), so that a drag windows few."""
STAND_IN = (0, 0)
"""The minification drawn while a zoom passes out of 1:1: every few pixels of the image
(:func:`~xraygui.visible.stand_in`), until the zoom settles."""
LINEAR = ("LINEAR", "LINEAR_EXACT")
"""VOI LUT functions that are linear between their clipping edges."""
FORWARD_AT_ONCE_PIXELS = 1 << 21
"""Forward mode noises an image of up to this many pixels (some 0.1-0.2 s on one CPU core)
in the GUI thread, except during a drag of the slider; a larger one in a worker."""
RESULT_LABEL = "after (denoised)"
GENERATED = "Generated from pure noise"
"""The progress bar's caption once Generate is done, followed by " in N step(s)"."""
"""What the After pane shows, for the readout, where it shows the denoised result."""
FORWARD_SOURCES = {
    None: "the image",
    reports.SIMULATION_SOURCE: "the original image, not the simulated low dose",
    reports.USER_CHOSEN: "the chosen reference image",
}
"""What x_0 of the forward process is, by the kind of reference it is (None: no reference)."""
SIMULATION_JOB = "low-dose simulation"
"""The job a low-dose simulation is, named in questions: it replaces the image when it ends."""
STOP_WAIT_MS = 30_000
"""How long closing the window waits for its jobs' threads to end, in all."""
STATUS_PROGRESS_WIDTH = 120
"""Width of the status bar's copy of the progress bar, in px."""
WINDOW_DRAG_GAIN = 1 / 300
"""Window width (and centre) change per screen pixel of right-drag, as a share of the width."""
WINDOW_KEY_STEP = 15
"""Ctrl+arrow keys move the window as a right-drag of this many screen pixels: 5 % of its
width (at least 0.05 % of the image's range)."""


RESULT_STATUS_LINES = 4
"""Lines the Denoise panel keeps for a result's description (model, settings, t*): four at
the panel's usual width, which its size hint at start (no result) lacks."""

PRESETS = {
    1: ("File window or VOI LUT", None),
    2: ("Auto (0.5-99.5 %)", AUTO_PERCENTILES),
    3: ("Full range", (0.0, 100.0)),
    4: ("Low values (1-60 %)", (1.0, 60.0)),
    5: ("High values (40-99.5 %)", (40.0, 99.5)),
}
"""Window presets on keys 1-5: the file's own default view (its first window, else its
first VOI LUT; where it names none, the readers' percentile window), then percentile
windows."""


class MainWindow(QMainWindow):
    """Top-level window of the app.

    Parameters
    ----------
    settings : QSettings, optional
        Where recent files, loaded models and the layout persist (the app's
        default settings when omitted).
    dialog_history : QSettings, optional
        Where Qt's own file dialogs keep the folders visited: the window removes their
        ``FileDialog`` group when it starts, after each of its file dialogs and when it
        closes (:func:`forget_file_dialog_history`). Omitted, Qt's user-scope ``QtProject``
        settings where `settings` is omitted too, else none: a window on settings of its
        own (a test's, the smoke test's) leaves the user's files alone.
    """

    resultShown = Signal()
    """Emitted when a denoised result has been displayed."""
    metricsShown = Signal()
    """Emitted when the metrics panel shows the numbers of the current images and region."""

    def __init__(
        self, settings: QSettings | None = None, *, dialog_history: QSettings | None = None
    ) -> None:
        super().__init__()
        if dialog_history is None and settings is None:
            dialog_history = QSettings(QSettings.Scope.UserScope, "QtProject")
        self.dialog_history = dialog_history
        self._forget_dialog_history()  # left by a session that ended without closing
        self.settings = settings if settings is not None else QSettings()
        self._settings_unsaved_said = False  # the settings file was found unwritable, and said
        self.source: XrayImage | None = None
        # The source file's size and mtime_ns when it was read: a changed file is read again.
        self._source_stat: tuple[int, int] | None = None
        self.image: XrayImage | None = None
        self.reference: XrayImage | None = None
        # What the reference is: reports.SIMULATION_SOURCE or reports.USER_CHOSEN (None: none).
        self.reference_kind: str | None = None
        self._dose: LowDoseSettings | None = None  # of the simulation shown (see dose)
        # The reference and its kind that the simulation shown replaced: Use Original
        # brings them back.
        self._replaced_reference: tuple[XrayImage | None, str | None] = (None, None)
        # The last simulation of the opened image, shown or not: the dose dialog starts from it.
        self.last_dose: LowDoseSettings | None = None
        self.result: DenoiseResult | None = None
        self._preview: jobs.ForwardPreview | None = None
        self._forward_worker: GeneratorWorker | None = None  # makes the forward process's x_t
        # The x_t that could not be made: (preview, t, seed, why), not tried again.
        self._forward_failed: tuple[jobs.ForwardPreview, float, int, str] | None = None
        self.trajectory: Trajectory | None = None
        self._set_aside: SetAside | None = None  # a Denoise run is going: what it replaces
        self._run_options: DenoiseOptions | None = None  # the last Denoise run's settings
        self.demo: Trajectory | None = None
        self.worker: GeneratorWorker | None = None
        self._job = ""  # what the worker does, for a question: "denoise", "batch denoise"...
        self._cancelling = False  # Cancel was pressed: the worker stops at its next step
        # A file to open, and its frame, once the job cancelled for it has stopped.
        self._open_after_job: tuple[Path, int] | None = None
        self._batch_table: Path | None = None  # the running batch's table, once it is named
        self.window_override: Window | VoiLut | None = None  # None: the image's default view
        self.invert = False
        self.roi: pg.RectROI | None = None
        self._help: QDialog | None = None  # Help > Mouse and Keys, made when first asked for
        self._docks_sized = False  # the right docks' heights are set (showEvent) or restored
        # Side panes remembered from the last session, shown once a result fills them.
        self._panes_waiting: set[str] = set()
        # The rows the metrics panel shows and what they were computed from.
        self._shown: tuple[tuple, list[Comparison]] | None = None
        self._noise: tuple[float | None, float | None] = (None, None)
        self._estimating_noise: XrayImage | None = None  # the image whose noise a worker estimates
        # Grey levels that do not depend on the window, made once: (inputs..., grey[, top]).
        self._residual: tuple[XrayImage, XrayImage, np.ndarray, float] | None = None
        self._uncertainty: tuple[np.ndarray, np.ndarray, float] | None = None
        self._reference_noise: jobs.KnownNoise | None = None
        # The opened image's noise for Simulate Low Dose, measured once (dialogs.image_noise).
        self._source_noise: tuple[XrayImage, NoiseEstimate | str] | None = None
        self._metrics_worker: GeneratorWorker | None = None
        self._running: set[GeneratorWorker] = set()
        self._closing = False  # closed: it starts no job, and none reaches it (stop_workers)
        self._after_shown: PaneValues | None = None  # what the After pane shows, for the readout
        # Block statistics of full-size pixels drawn zoomed out, newest first.
        self._minified: list[BlockStats] = []
        self._blocks_drawn = (1, 1)  # the minification last drawn with (STAND_IN: a stand-in)
        self._part: Part | None = None  # the part refresh last drew at 1:1 (None: all)
        self._read_worker: GeneratorWorker | None = None  # reads an image file (see _read)
        # The file being opened or read, from before its "Opening..." message paints until
        # it is shown (see _reading_file), and a file (and frame) asked for meanwhile.
        self._reading: Path | None = None
        self._open_after_read: tuple[Path, int] | None = None
        self.interactive = True  # False (smoke test): errors are only collected, never modal
        self.errors: list[str] = []
        self.setWindowTitle(f"xraygui {__version__} - {DISCLAIMER}")
        self.setAcceptDrops(True)
        available = self.screen().availableGeometry()
        self.resize(min(1500, available.width() - 20), min(950, available.height() - 40))
        self._build_central()
        self._build_docks()
        self._build_status_bar()
        self._build_menus()
        self.reload_models()
        self.controls.restore(self.settings)
        self._restore_layout()
        QApplication.instance().aboutToQuit.connect(self.stop_workers)
        self._focused_keys = KeysForFocusedWidgets(self.timeline.play, self)
        QApplication.instance().installEventFilter(self._focused_keys)

    # ----------------------------------------------------------------- building

    def _build_central(self) -> None:
        banner = QLabel(f"{DISCLAIMER}: research and teaching tool")
        banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        banner.setStyleSheet("background: #7a1f1f; color: white; font-weight: bold; padding: 2px;")
        self.views = ComparisonView()
        self.views.sigCursor.connect(self._show_cursor)
        # A zoom redraws the panes once it settles, if it changed the minification.
        self._zoom_settled = QTimer(self, singleShot=True, interval=ZOOM_SETTLE_MS)
        self._zoom_settled.timeout.connect(self._on_zoom_changed)
        before_view = self.views.panes["before"].view
        before_view.sigRangeChanged.connect(self._zoom_settled.start)
        before_view.sigRangeChanged.connect(self._draw_what_came_in_sight)
        before_view.sigResized.connect(self._zoom_settled.start)
        self.views.sigWindowDrag.connect(self.drag_window)
        self.timeline = TimelineWidget()
        self.timeline.indexChanged.connect(lambda _: self.refresh())
        self.timeline.forwardTimeChanged.connect(lambda _: self._on_forward_time())
        self.timeline.modeChanged.connect(self._on_mode_changed)
        self.timeline.demoRequested.connect(self.start_demo)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(banner)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.timeline)
        self.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.controls = ControlPanel()
        self.controls.denoiseRequested.connect(self.start_denoise)
        self.controls.cancelRequested.connect(self.cancel)
        self.controls.loadModelRequested.connect(self.choose_model_file)
        self.controls.device.currentTextChanged.connect(lambda _: self.update_device_label())
        self.controls.seed.valueChanged.connect(self._on_seed_changed)
        # Once the picker has settled: refilling it (set_models) passes other models first.
        self._model_settled = QTimer(self, singleShot=True, interval=0)
        self._model_settled.timeout.connect(self._on_model_changed)
        self.controls.model.currentIndexChanged.connect(lambda _: self._model_settled.start())
        self.controls_dock = self._dock(
            "Denoise",
            "controls",
            VerticalScroll(self.controls),  # a short window scrolls it
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        self.metrics = MetricsPanel()
        self.metrics_dock = self._dock(
            "Metrics",
            "metrics",
            VerticalScroll(self.metrics),  # a short window scrolls it, as the Denoise panel
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        self.browser = BrowserDock(self)
        self.browser.openRequested.connect(self.request_open)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.browser)
        self.tags = TagBrowser(self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.tags)
        self.tabifyDockWidget(self.browser, self.tags)
        self.browser.raise_()
        self.browser.hide()
        self.tags.hide()

    def _build_status_bar(self) -> None:
        self.cursor_label = QLabel()
        # The readout and the window keep the width of their text; these give theirs up.
        self.size_label = ElidingLabel()
        self.device_label = ElidingLabel()
        self.window_label = QLabel()
        # A multi-frame DICOM's frame or a multi-page TIFF's page, numbered from 1 as in DICOM.
        self.frame_box = QSpinBox(prefix="Frame ", minimum=1, maximum=1)
        self.frame_box.setAccessibleName("Frame")
        self.frame_box.setToolTip(
            "Which frame of the file is shown and denoised, counted from 1 as in DICOM"
            " (exported names and reports say frame001 for frame 1)"
        )
        self.frame_box.setKeyboardTracking(False)  # open a frame once the number is typed
        self.frame_box.valueChanged.connect(self._open_frame)
        self.frame_box.hide()
        # The running job's progress, copied from the Denoise panel's bar: in sight where a
        # short window scrolls that panel, or its dock is closed.
        self.job_progress = QProgressBar()
        self.job_progress.setMaximumWidth(STATUS_PROGRESS_WIDTH)
        self.job_progress.setAccessibleName("Job progress")
        self.job_progress.hide()
        self.controls.progressShown.connect(self._copy_progress)
        bar = self.statusBar()
        # Permanent, and first: a status message shows left of the readout, never over it.
        for widget in (
            self.job_progress,
            self.cursor_label,
            self.frame_box,
            self.window_label,
            self.size_label,
            self.device_label,
        ):
            bar.addPermanentWidget(widget)
        # The last batch's summary, until the next batch or another image is opened or
        # denoised: a normal widget, so a status message covers it only while it shows.
        self.batch_label = ElidingLabel()
        self.batch_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.batch_label.hide()
        bar.addWidget(self.batch_label, 1)
        bar.messageChanged.connect(self._make_room_for_message)
        self.update_device_label()

    def _copy_progress(self, done: int, total: int, text: str) -> None:
        """Show the Denoise panel's progress in the status bar too, its caption as tooltip."""
        self.job_progress.setMaximum(max(total, 1))
        self.job_progress.setValue(done)
        self.job_progress.setToolTip(text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Give the Denoise panel its full height when first shown, unless a layout was saved.

        Qt shares the right docks' height by their size hints: in a window 720 px high
        the Denoise button, Cancel and the progress bar were scrolled out of the panel.
        The Metrics dock gets what is left (it scrolls). The panel's hint at start lacks the
        lines a result's description takes under the progress bar
        (:data:`RESULT_STATUS_LINES`), which are added.
        """
        super().showEvent(event)
        if self._docks_sized:
            return
        self._docks_sized = True
        dock = self.controls_dock
        title = dock.height() - dock.widget().height()
        status = RESULT_STATUS_LINES * self.controls.status.fontMetrics().lineSpacing()
        wanted = self.controls.sizeHint().height() + title + status
        total = dock.height() + self.metrics_dock.height()
        self.resizeDocks(
            [dock, self.metrics_dock], [wanted, max(total - wanted, 0)], Qt.Orientation.Vertical
        )

    def _make_room_for_message(self, message: str) -> None:
        """Give a status message the room of the size and device labels while it shows."""
        for label in (self.size_label, self.device_label):
            label.setVisible(not message)

    def _action(
        self,
        menu,
        text: str,
        slot,
        shortcut=None,
        *,
        checkable: bool = False,
        tip: str,
    ) -> QAction:
        """Add an action to `menu` and to the window (its shortcuts work in every dock).

        `text` names the action with its mnemonic (``"&Invert"``); `shortcut` is a key
        sequence or a list of them. `tip` says what it does, in the status bar while the
        pointer is on it; the tooltip is its name without the mnemonic, and its keys.
        """
        action = QAction(text, self)
        keys = [] if shortcut is None else shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setCheckable(checkable)
        action.setStatusTip(tip)
        action.setToolTip(_tooltip(action))
        if checkable:
            action.toggled.connect(slot)
        else:  # never `checked`: it would land in a slot's optional first parameter
            action.triggered.connect(lambda: slot())
        menu.addAction(action)
        self.addAction(action)  # shortcuts work while any dock has focus
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        open_action = self._action(
            file,
            "&Open...",
            self.choose_files,
            QKeySequence.StandardKey.Open,
            tip="Open image files (DICOM, PNG, TIFF, JPEG, .npy); several are listed in Images",
        )
        folder_action = self._action(
            file,
            "Open &Folder...",
            self.choose_folder,
            "Ctrl+Shift+O",
            tip="List the images of a folder and its subfolders in Images",
        )
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.menuAction().setStatusTip("Open a file opened lately")
        self.recent_menu.aboutToShow.connect(self._rebuild_recent)  # another window's too
        self._rebuild_recent()
        file.addSeparator()
        self.export_report_action = self._action(
            file,
            "Export Re&port (PDF, JSON, CSV)...",
            self.choose_report_dir,
            "Ctrl+R",
            tip="Write the report of what is shown, as PDF, JSON and CSV, into a folder",
        )
        self.export_image_action = self._action(
            file,
            "&Export Denoised Image...",
            self.choose_export_image,
            "Ctrl+E",
            tip="Write the denoised result as DICOM, PNG or TIFF",
        )
        self.export_uncertainty_action = self._action(
            file,
            "Export &Uncertainty Map...",
            self.choose_export_uncertainty,
            tip="Write the uncertainty map (the samples' std, in pixel values) as a 32-bit "
            "float TIFF",
        )
        self._action(
            file,
            "&Batch Denoise Folder...",
            self.choose_batch,
            tip="Denoise every image of a folder into another folder, with a table of results",
        )
        self._action(
            file,
            "&Train on Folder...",
            self.open_train_wizard,
            tip="Train a model, or fine-tune this one, on a folder of your own images",
        )
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q", tip="Close the window")

        image = bar.addMenu("&Image")
        self._action(
            image,
            "&Denoise",
            self.start_denoise,
            "Ctrl+D",
            tip="Denoise the image with the Denoise panel's settings",
        )
        self._action(
            image,
            "&Cancel the Running Job",
            self.cancel,
            "Esc",
            tip="Stop the running denoise, simulation, batch or generation at its next step",
        )
        image.addSeparator()
        dose_action = self._action(
            image,
            "&Simulate Low Dose...",
            self.choose_low_dose,
            "Ctrl+L",
            tip="Simulate a lower dose of the image; the image as opened becomes the reference",
        )
        self._action(
            image,
            "Choose Reference &Image...",
            self.choose_reference,
            tip="Choose an image of the same size to measure against (a full dose, say)",
        )
        self.use_original_action = self._action(
            image,
            "Use &Original (undo simulation)",
            self.restore_original,
            tip="Show the image as opened again, with the reference it had before the simulation",
        )
        self.use_original_action.setEnabled(False)  # until a simulation is shown (see dose)
        image.addSeparator()
        self.roi_action = self._action(
            image,
            "&Region of Interest for Metrics",
            self.set_roi_enabled,
            "Ctrl+G",
            checkable=True,
            tip="Metrics of a rectangle too: drag and resize it in the Before pane",
        )

        view = bar.addMenu("&View")
        presets = view.addMenu("Window &Presets")
        presets.menuAction().setStatusTip("Windows of the file and of the image's percentiles")
        for key, (name, _) in PRESETS.items():
            self._action(
                presets,
                f"&{key}  {name}",
                lambda _=False, k=key: self.apply_preset(k),
                str(key),
                tip=f"Window preset {key}: {name}",
            )
        presets.addSeparator()
        self.file_windows_menu = presets.addMenu("The File's &Windows")
        self.file_windows_menu.menuAction().setStatusTip("Each window and VOI LUT the file names")
        self._action(
            view,
            "&Auto Window",
            lambda: self.apply_preset(2),
            "A",
            tip=f"Window preset 2: {PRESETS[2][0]}",
        )
        self._action(
            view,
            "&Next File Window",
            self.next_file_window,
            "W",
            tip="Show the file's next window or VOI LUT",
        )
        self._action(
            view,
            "Set &Window/Level...",
            self.choose_window,
            tip="Type the window's width and centre, in the image's pixel values",
        )
        nudge = view.addMenu("Nudge Window/Le&vel")
        nudge.menuAction().setStatusTip("Step the window's width or centre by 5 % of its width")
        for text, key, dx, dy, tip in (
            ("&Wider", "Ctrl+Right", 1, 0, "Widen the window: less contrast"),
            ("&Narrower", "Ctrl+Left", -1, 0, "Narrow the window: more contrast"),
            ("Level &Up", "Ctrl+Up", 0, 1, "Raise the window's centre: a darker picture"),
            ("Level &Down", "Ctrl+Down", 0, -1, "Lower the window's centre: a lighter picture"),
        ):
            self._action(
                nudge,
                text,
                lambda x=dx, y=dy: self.drag_window(x * WINDOW_KEY_STEP, y * WINDOW_KEY_STEP),
                key,
                tip=tip,
            )
        self.invert_action = self._action(
            view,
            "&Invert",
            self.set_invert,
            "I",
            checkable=True,
            tip="Show the grey levels inverted (the data are unchanged)",
        )
        view.addSeparator()
        fit_action = self._action(
            view, "&Fit to Window", self.views.fit, "F", tip="Fit the whole image to its panes"
        )
        one_action = self._action(
            view,
            "&1:1 (one image pixel per screen pixel)",
            self.views.one_to_one,
            "O",
            tip="Show one image pixel per screen pixel",
        )
        self._action(
            view,
            "&Zoom In",
            lambda: self.views.zoom(ZOOM_STEP),
            ["Ctrl++", "Ctrl+=", "=", "+"],
            tip="Magnify every pane",
        )
        self._action(
            view,
            "Zoom &Out",
            lambda: self.views.zoom(1 / ZOOM_STEP),
            ["Ctrl+-", "-"],
            tip="Shrink every pane",
        )
        self.swipe_action = self._action(
            view,
            "&Swipe Before | After",
            self.set_swipe,
            "S",
            checkable=True,
            tip="Overlay After on Before, with a divider to drag",
        )
        self.residual_action = self._action(
            view,
            "&Residual Pane",
            lambda on: self._pane("residual", on),
            "R",
            checkable=True,
            tip="Show Before minus the denoised result, mid-grey at 0",
        )
        self.uncertainty_action = self._action(
            view,
            "&Uncertainty Pane",
            lambda on: self._pane("uncertainty", on),
            "U",
            checkable=True,
            tip="Show the spread of the uncertainty samples (samples > 0, then Denoise)",
        )
        self._action(
            view,
            "P&lay / Pause Steps",
            self.timeline.play.toggle,
            "Space",
            tip="Play the timeline's steps, or pause them",
        )
        view.addSeparator()
        for dock, text in (
            (self.controls_dock, "&Denoise"),
            (self.metrics_dock, "&Metrics"),
            (self.browser, "Ima&ges"),
            (self.tags, "DICOM &tags"),
        ):
            toggle = dock.toggleViewAction()
            toggle.setText(text)
            toggle.setStatusTip(f"Show or hide the {_plain(text)} panel")
            toggle.setToolTip(_plain(text))
            view.addAction(toggle)
        view.addSeparator()
        self.dark_action = self._action(
            view,
            "Dar&k Interface",
            self.set_dark_interface,
            checkable=True,
            tip="Show dark grey panels, menus and dialogs around the black image panes",
        )

        help_menu = bar.addMenu("&Help")
        self._action(
            help_menu,
            "&Mouse and Keys",
            self.show_help,
            QKeySequence.StandardKey.HelpContents,
            tip="List the mouse and keyboard controls",
        )
        self._action(
            help_menu,
            "&About",
            self.show_about,
            tip="The version, the model, its training data's attribution and the terms of use",
        )

        tools = self.addToolBar("Main")
        tools.setObjectName("main_toolbar")
        for action, label in (
            (open_action, "Open"),
            (folder_action, "Folder"),
            (dose_action, "Low dose"),
            (None, ""),
            (fit_action, "Fit"),
            (one_action, "1:1"),
            (self.invert_action, "Invert"),
            (self.swipe_action, "Swipe"),
            (self.residual_action, "Residual"),
            (self.uncertainty_action, "Uncertainty"),
            (self.roi_action, "ROI"),
            (None, ""),
            (self.export_report_action, "Report"),
        ):
            if action is None:
                tools.addSeparator()
            else:
                action.setIconText(label)
                tools.addAction(action)

    def show_error(self, title: str, message: str) -> None:
        """Tell the user what went wrong: a dialog, or only a log line when not interactive.

        Parameters
        ----------
        title : str
            Dialog title.
        message : str
            One line, e.g. ``str(error)`` of an :class:`~core.errors.XrayError`.
        """
        self.errors.append(f"{title}: {message}")
        if self.interactive:
            QMessageBox.critical(self, title, message)

    # ----------------------------------------------------------------- opening

    def choose_files(self) -> None:
        """Ask for image files; open the first, list them all in the browser."""
        paths, _ = self._ask(
            QFileDialog.getOpenFileNames, "Open images", self._last_dir(), OPEN_FILTER
        )
        if paths:
            self.open_files(paths)

    def choose_folder(self) -> None:
        """Ask for a folder and list its images (recursively) in the browser."""
        folder = self._ask(QFileDialog.getExistingDirectory, "Open folder", self._last_dir())
        if folder:
            self.open_folder(folder)

    def open_files(self, paths: list[str | Path]) -> bool:
        """Open the first file of several and list all of them in the browser.

        The rule of a drop and of the command line: where a folder is among `paths`, the
        browser's list starts afresh with what they hold, folders scanned for images;
        the first path that is not a folder, if any, opens as :meth:`request_open` does
        (while a job runs, the user is asked first).

        Parameters
        ----------
        paths : list of path
            Image files and folders.

        Returns
        -------
        bool
            Whether the first file is now shown.
        """
        paths = [Path(p) for p in paths]
        files = [p for p in paths if not p.is_dir()]
        if len(files) < len(paths):
            self.scan(paths, clear=True)
        elif len(paths) > 1:
            self.scan(paths, clear=False)
        return bool(files) and self.request_open(files[0])

    def open_folder(self, folder: str | Path) -> GeneratorWorker:
        """List the images under `folder` in the browser, reading them in a worker thread.

        Returns
        -------
        GeneratorWorker
            The scan (its ``finished`` signal says when the list is complete).
        """
        self.settings.setValue("last_dir", str(folder))
        self._rebuild_recent()  # Clear Recent Files can forget it now
        return self.scan([folder], clear=True)

    def scan(self, paths: list[str | Path], *, clear: bool) -> GeneratorWorker:
        """Read `paths` in a worker and add what it finds to the browser dock.

        With `clear`, the list starts afresh and an earlier scan still running is stopped
        (its late results are ignored); otherwise this scan's results join the list.
        """
        worker = GeneratorWorker(scan_images, list(paths))
        self.browser.begin_scan(worker, clear=clear)
        where = str(paths[0]) + (f" and {len(paths) - 1} more" if len(paths) > 1 else "")
        worker.errored.connect(
            lambda error: self.statusBar().showMessage(
                f"Could not scan {where}: {error_line(error)}", 20000
            )
        )
        self._keep(worker)
        return worker

    def request_open(self, path: str | Path, *, frame: int = 0) -> bool:
        """Open `path` as the user asked (File menu, recent files, a drop, the browser).

        The frame on screen, of a file unchanged on disk since it was read (its size and
        mtime_ns), is not read again: its result, steps and window stay, and the status
        bar says it is already open. A file that does not exist is said not to be found.
        Otherwise, while a job runs (a denoise, say), the user is asked whether to cancel
        it (:meth:`may_cancel_for`): Keep running opens nothing; Cancel and open stops it
        and opens `path` once its worker has ended. While a file is being opened or read,
        `path` opens once it has been (the status bar says so); of several asked for
        meanwhile, the last. Either way the browser then selects the image shown.

        Parameters
        ----------
        path : str or Path
            Image file.
        frame : int
            Frame of a multi-frame file, from 0.

        Returns
        -------
        bool
            True if `path` is now shown; False if not, or not yet (the job is stopping, or
            another file is being read).
        """
        path = Path(path)
        if self._reading is not None:  # its "Opening..." paint, say, ran a timer asking this
            self._open_after_read = (path, frame)  # the latest asked for, if several
            self.statusBar().showMessage(
                f"{path.name} opens when {self._reading.name} has been read"
            )
            self._select_shown()
            return False
        self._open_after_read = None  # one waiting for a read: asked for before this
        if self._is_shown(path, frame):
            self._open_after_job = None  # the latest asked for: what is shown
            self.statusBar().showMessage(f"Already open: {path.name}", 8000)
            self._select_shown()
            return True
        if not path.exists():  # said before any question about a running job
            self.show_error("Cannot open image", str(ImageReadError(path, "file not found")))
            self._select_shown()
            return False
        if self.worker is not None:
            if self._open_after_job is None and not self.may_cancel_for(path.name):
                self.statusBar().showMessage(
                    f"Not opened: {path.name} (the {self._job} goes on)", 8000
                )
                self._select_shown()
                return False
            if self.worker is not None:  # it may have ended while the question was asked
                self._open_after_job = (path, frame)  # the latest asked for, if several
                self.cancel()
                self.statusBar().showMessage(
                    f"Cancelling the {self._job}: {path.name} opens when it has stopped"
                )
                self._select_shown()
                return False
        return self.open_file(path, frame=frame)

    def _is_shown(self, path: Path, frame: int) -> bool:
        """Whether frame `frame` of `path` is the source shown, as the file is now on disk."""
        source = self.source
        return (
            source is not None
            and source.frame == frame
            and _same_file(source, path)
            and self._source_stat is not None
            and _file_stat(path) == self._source_stat
        )

    def may_cancel_for(self, name: str) -> bool:
        """Ask whether to cancel the running job to open `name` (No unless the user says so).

        Not interactive (the smoke test), the job goes on without a question.
        """
        if not self.interactive:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Cancel the running job?",
            f"A {self._job} is running. Cancel it and open {name}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Cancel and open")
        box.button(QMessageBox.StandardButton.No).setText("Keep running")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _select_shown(self) -> None:
        """Select the image shown in the browser (nothing where it is not listed there)."""
        self.browser.show_current(None if self.source is None else self.source.source_path)

    def open_file(self, path: str | Path, *, frame: int = 0) -> bool:
        """Read `path` and show it; on bad input show the one-line reason in a dialog.

        Refused while a job runs or a file is being read (see :meth:`request_open`).
        Whether it opens or not, the browser then selects the image shown, and the frame
        box shows its frame.

        Parameters
        ----------
        path : str or Path
            Image file (DICOM, PNG, TIFF, JPEG, ``.npy``).
        frame : int
            Frame of a multi-frame DICOM or page of a TIFF, from 0.

        Returns
        -------
        bool
            True if the image is now shown.
        """
        opened = self._open(path, frame=frame)
        self._select_shown()
        if not opened:
            self._show_frame_number()  # a frame asked for that did not open
        return opened

    def _open(self, path: str | Path, *, frame: int) -> bool:
        """Read `path` and show it (see :meth:`open_file`).

        What the reader warned of (colour converted to grey, say) is shown in the status
        bar and under the panel's status line, never in a dialog. It is being opened
        (:meth:`_reading_file`) from before :func:`busy` paints: an open asked for by a
        timer or a signal run then waits for it (:meth:`request_open`).
        """
        if self._busy("Open"):
            return False
        with self._reading_file(Path(path)):
            return self._read_and_show(Path(path), frame=frame)

    def _read_and_show(self, path: Path, *, frame: int) -> bool:
        """Read `path` and show it, as :meth:`_open` does once it is noted as being read."""
        warned: list[str] = []
        stat = _file_stat(Path(path))  # before the read: a change meanwhile reads it again
        with busy(self.statusBar(), f"Opening {Path(path).name}..."):
            try:
                image = self._read(path, frame=frame, warned=warned)
            except XrayError as error:
                self.show_error("Cannot open image", str(error))
                return False
            if image is None:
                return False  # cancelled: the open image stays
            another_file = self.source is None or not _same_file(self.source, path)
            self.source, self._source_stat = image, stat
            self.reference, self.reference_kind = None, None
            self.dose, self.last_dose = None, None
            self._replaced_reference = (None, None)
            self._forget_batch_summary()
            if another_file:  # each file opens in its own view; its frames keep the user's
                self.window_override = None
                self._show_inverted(False)
            self._list_file_windows(image)
            self._set_image(image)
            self.tags.set_dataset(image.dataset)
        self._add_recent(Path(path))
        self.size_label.setText(f"{size_text(image)} | {image.photometric}")
        self._show_frame_number()
        self._name_what_is_shown()
        self.views.fit()
        if warned:
            prefix = f"{Path(path)}: "  # each names the file: once is enough
            notes = "; ".join(note.removeprefix(prefix) for note in warned)
            warning = f"Warning: {Path(path).name}: {notes}"
            self.statusBar().showMessage(warning, 20000)
            self.controls.show_warning(warning)
        return True

    def _read(
        self, path: str | Path, *, frame: int = 0, warned: list[str] | None = None
    ) -> XrayImage | None:
        """Read `path` in a worker while the window paints.

        None if the user cancelled, or if the window closed before or meanwhile (a closed
        window starts no read and shows no image; :func:`busy` paints before a read, and a
        close may come then). The reader's warnings go to `warned`, as
        :func:`~xraygui.reading.read_in_worker` says.
        """
        if self._closing:
            return None
        with self._reading_file(Path(path)):
            try:
                image = read_in_worker(
                    self, path, frame=frame, start=self._keep_read, warned=warned
                )
            finally:
                self._read_worker = None
        return None if self._closing else image

    @contextmanager
    def _reading_file(self, path: Path) -> Iterator[None]:
        """Note `path` as being read while the block runs; then open what was asked meanwhile.

        An open asked for meanwhile waits (:meth:`request_open`); once the outermost block
        ends (an open's, or a reference's read), the last one asked for opens, from the
        event loop.
        """
        outer, self._reading = self._reading, path
        try:
            yield
        finally:
            self._reading = outer
            if outer is None and self._open_after_read is not None and not self._closing:
                QTimer.singleShot(0, self, self._open_waiting)

    def _open_waiting(self) -> None:
        """Open the file asked for while another was read (:meth:`request_open`), if any."""
        if self._open_after_read is None or self._closing:
            return
        path, frame = self._open_after_read
        self._open_after_read = None
        if self.statusBar().currentMessage().startswith(f"{path.name} opens when "):
            self.statusBar().clearMessage()  # said while it waited
        self.request_open(path, frame=frame)

    def _keep_read(self, worker: GeneratorWorker) -> None:
        """Start a read as :meth:`_keep` does, and note it (:meth:`_still_reading`)."""
        self._read_worker = worker
        self._keep(worker)

    def _open_frame(self, number: int) -> None:
        """Show frame `number` (from 1) of the open file, as :meth:`request_open` does.

        The box goes back to the frame shown where it is not opened (the user kept a job
        running, say); it stays at `number` while the job cancelled for it stops, or while
        another read it waits for ends.
        """
        source = self.source
        if source is None or source.source_path is None or number - 1 == source.frame:
            return
        if not self.request_open(source.source_path, frame=number - 1):
            if self._open_after_job is None and self._open_after_read is None:
                self._show_frame_number()

    def _show_frame_number(self) -> None:
        """Set the frame box to the frame shown, and to its file's number of frames."""
        if self.source is None:
            return
        self.frame_box.blockSignals(True)
        self.frame_box.setMaximum(self.source.n_frames)
        self.frame_box.setSuffix(f" of {self.source.n_frames}")
        self.frame_box.setValue(self.source.frame + 1)
        self.frame_box.blockSignals(False)
        self.frame_box.setVisible(self.source.n_frames > 1)

    def _set_image(self, image: XrayImage) -> None:
        """Make `image` the one to denoise; forget any result and what the panel said of it.

        A demo generated for an image of another shape, or with no image open, is
        forgotten too: it was made at that shape, and would be drawn stretched. So is
        what was made of the previous image, its result and a reference no longer set
        (:meth:`_forget_made`): nothing holds their pixels.
        """
        previous, self.image = self.image, image
        self.result = None
        self.trajectory = None
        if previous is None or previous.shape != image.shape:
            self.demo = None
        self._forget_made()
        self.timeline.set_mode("reverse")
        self._sync_timeline(go_to_end=True)
        self.timeline.set_label("No steps yet: press Denoise")
        self.controls.show_progress(0, 1, "")
        self.controls.status.clear()
        self.controls.show_warning("")
        self._noise = (None, None)
        self._estimate_noise(image)
        if self.roi_action.isChecked() and (
            self.roi is None or previous is None or previous.shape != image.shape
        ):
            self.set_roi_enabled(True)  # the region moves to the middle of the new image
        self.views.fit(shape=image.shape)  # first, so that it is drawn once, at the fitted zoom
        self.refresh()
        self.views.fit()
        self.update_metrics()

    def _forget_made(self) -> None:
        """Drop what was made of an image no longer shown and of its result.

        The block statistics and the residual's and the uncertainty map's grey levels
        hold their pixels; so does what was made of the reference
        (:meth:`_forget_made_of_reference`).
        """
        self._minified = []
        self._residual = self._uncertainty = None
        if self._source_noise is not None and self._source_noise[0] is not self.source:
            self._source_noise = None
        self._forget_made_of_reference()

    def _forget_made_of_reference(self) -> None:
        """Drop what was made of a reference no longer set, as the image or reference changes.

        The forward process's x_t starts from the reference, or from the image where none
        is set; the reference's noise estimate is kept only for the reference still set.
        """
        self._preview = self._forward_failed = None
        if self._reference_noise is not None and self._reference_noise[0] is not self.reference:
            self._reference_noise = None

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt override)
        """Move the focus on with Tab, past what Qt has parked out of sight.

        Qt keeps a dock tabbed behind another, and the tab bar of docks tabbed together
        while fewer than two of them are shown, visible but outside the window, where
        Tab would take the focus unseen.
        """
        moved = super().focusNextPrevChild(next)
        for _ in self.findChildren(QWidget):
            focus = QApplication.focusWidget()
            if focus is None or not self._parked(focus):
                break
            moved = super().focusNextPrevChild(next)
        return moved

    def _parked(self, widget: QWidget) -> bool:
        """Whether `widget` is in a part of the window (a dock, a tab bar) placed outside it."""
        while widget.parentWidget() is not None and widget.parentWidget() is not self:
            widget = widget.parentWidget()
        return (
            widget.parentWidget() is self
            and not widget.isWindow()  # a floating dock is a window of its own
            and not self.rect().intersects(widget.geometry())
        )

    def dragEnterEvent(self, event) -> None:  # noqa: D102 (Qt override)
        if any(url.isLocalFile() for url in event.mimeData().urls()):  # not a web link alone
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: D102 (Qt override)
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            self.statusBar().showMessage("Only local files can be opened", 8000)
            event.ignore()
            return
        self.open_files(paths)
        event.acceptProposedAction()

    def _last_dir(self) -> str:
        return str(self.settings.value("last_dir", str(Path.home())))

    def _add_recent(self, path: Path) -> None:
        self.settings.setValue("last_dir", str(path.parent))
        self._update_list("recent_files", add=str(resolved(path)))
        self._rebuild_recent()

    def recent_files(self) -> list[str]:
        """Files opened lately, newest first (by any instance of the app)."""
        return self._stored_list("recent_files")

    def _stored_list(self, key: str) -> list[str]:
        """Return a list setting as stored now: another instance of the app may have changed it."""
        self._sync_settings()
        value = self.settings.value(key, [])
        return [value] if isinstance(value, str) else list(value or [])

    def _update_list(self, key: str, *, add: str | None = None, remove: str | None = None) -> None:
        """Put `add` first in a list setting or take `remove` out, keeping others' entries.

        The list is read as stored now and written back at once, so that two instances
        of the app sharing the settings file keep each other's entries.
        """
        first = [] if add is None else [add]
        entries = first + [p for p in self._stored_list(key) if p not in (add, remove)]
        self.settings.setValue(key, entries[:MAX_RECENT])
        self._sync_settings()

    def _sync_settings(self) -> None:
        """Store the settings now and read others' changes; say once if they cannot be stored.

        A read-only home folder, say, leaves the recent files and models unsaved; Qt
        tells only through the status, and the status bar says it once, after the work
        going on (opening a file, say) has put up and cleared its own message.
        """
        self.settings.sync()
        if (
            self.settings.status() == QSettings.Status.AccessError
            and not self._settings_unsaved_said
        ):
            self._settings_unsaved_said = True
            message = (
                f"Settings cannot be saved to {self.settings.fileName()}: recent files and "
                "models are forgotten when the app closes"
            )
            QTimer.singleShot(0, self, lambda: self.statusBar().showMessage(message, 20000))

    def _open_recent(self, path: str) -> None:
        """Open a recent file as :meth:`request_open` does; say so of one not found.

        One not found leaves the list only where its folder is there and holds anything
        else (:func:`_folder_in_use`): it is gone. A folder missing or empty, as a share
        or a USB stick not mounted leaves it (its mount point stays, empty), keeps it
        listed, as the model picker keeps a model there; the message says which.
        """
        if Path(path).exists():
            self.request_open(path)
            return
        if _folder_in_use(Path(path)):
            self._update_list("recent_files", remove=path)
            self._rebuild_recent()
            fate = "removed from Open Recent"
        else:
            fate = "kept in Open Recent: its folder is missing or empty, as a share not mounted"
        self.show_error("Cannot open image", f"{ImageReadError(path, 'file not found')}; {fate}")
        self._select_shown()

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path.replace("&", "&&"))  # no mnemonic
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        self.recent_menu.addSeparator()
        self.clear_recent_action = self.recent_menu.addAction("&Clear Recent Files")
        self.clear_recent_action.setStatusTip("Forget the files opened lately and the last folder")
        self.clear_recent_action.triggered.connect(lambda: self.clear_recent())
        remembered = bool(self.recent_files()) or self.settings.contains("last_dir")
        self.clear_recent_action.setEnabled(remembered)
        self.recent_menu.setEnabled(remembered)

    def clear_recent(self) -> None:
        """Forget the files opened lately and the last folder (File > Open Recent).

        The folders Qt's own file dialogs remember go too (:func:`forget_file_dialog_history`).
        """
        self.settings.remove("recent_files")
        self.settings.remove("last_dir")
        self._sync_settings()
        self._forget_dialog_history()
        self._rebuild_recent()

    def _ask(self, ask: Callable[..., Any], *args: str) -> Any:
        """Ask with a QFileDialog function (`ask`), then forget the folders its dialog kept."""
        try:
            return ask(self, *args)
        finally:
            self._forget_dialog_history()

    def _forget_dialog_history(self) -> None:
        if self.dialog_history is not None:
            forget_file_dialog_history(self.dialog_history)

    # ----------------------------------------------------------------- display

    @property
    def denoised(self) -> XrayImage | None:
        """The denoised image of the last finished run, if any."""
        return None if self.result is None else self.result.image

    def _after_values(self) -> PaneValues | None:
        """Return what the After pane shows, following the timeline (None: nothing yet)."""
        mode = self.timeline.current_mode
        if mode == "forward":
            made = self._forward()
            return None if made is None else PaneValues(f"forward, t = {made[0]:g}", made[1])
        index = self.timeline.slider.value()
        frames = self.demo if mode == "demo" else self.trajectory
        if (
            mode == "reverse"
            and self.result is not None
            and (frames is None or index >= len(frames) - 1)
        ):
            if frames is not None and len(frames):
                self._label_frame(frames.frames[-1])
            return PaneValues(RESULT_LABEL, self.result.image.pixels)
        if frames is None or not len(frames):
            return None
        frame = frames.frames[min(index, len(frames) - 1)]
        self._label_frame(frame)
        kind = "x0 prediction" if self.timeline.x0 else "x_t"
        values = frame.x0_pred if self.timeline.x0 else frame.x_t
        if mode == "demo":
            return PaneValues(f"generated {kind} (-1 to 1)", values, pixel_units=False)
        return PaneValues(f"after: {kind}, step {frame.step}/{frame.n_steps}", values)

    def _after_grey(self, shown: PaneValues | None) -> tuple[np.ndarray | None, Place | None]:
        """Return the grey levels of what the After pane shows (None: nothing), and their place.

        The place is where they lie in the image (:meth:`_shown_grey`); None: all of it.
        """
        if shown is None:
            return None, None
        if self.timeline.current_mode == "demo":  # model domain: [-1, 1] shown black to white
            grey = np.clip((shown.values + 1) / 2, 0, 1).astype(np.float32)
            return 1 - grey if self.invert else grey, None
        return self._shown_grey(shown.values)

    def _shown_grey(self, pixels: np.ndarray) -> tuple[np.ndarray, Place | None]:
        """Return the grey levels of full-size pixels as the panes draw them now, and their place.

        Zoomed out, a pane shows the mean grey level of the pixels each screen pixel
        covers. Here those means come from the blocks' statistics, made once per array
        and zoom (:func:`~xraygui.minified.minified_grey`): a window/level drag then
        windows the blocks, and pixel by pixel only those that straddle an edge of a
        linear window (every pixel for a sigmoid or a VOI LUT table). At 1:1 and above,
        and for a timeline step kept smaller (the pane minifies it), every pixel of the
        part drawn (:attr:`_part`, the part in sight with a margin): the place says where
        those grey levels lie in the image, ``(left, top, width, height)``, or is None
        where they cover all of it.
        """
        assert self.image is not None
        blocks = self._blocks_drawn
        if blocks == STAND_IN:  # a zoom passing out of 1:1: see _draw_what_came_in_sight
            shown = self.views.panes["before"].blocks()
            return self._part_grey(pixels, stand_in(pixels.shape, self.image.shape, shown)), None
        if blocks == (1, 1) or pixels.shape != self.image.shape:
            if self._part is None:
                return self.grey(pixels), None
            index, place = self._part.cut(pixels.shape, self.image.shape)
            return self._part_grey(pixels, index), place
        stats = next(
            (kept for kept in self._minified if kept.pixels is pixels and kept.blocks == blocks),
            None,
        )
        if stats is None:
            stats = BlockStats.of(pixels, blocks)
            self._minified = [stats, *self._minified[: MINIFIED_KEPT - 1]]
        view = self.shown_view()
        linear = isinstance(view, Window) and window_function(self.image, view) in LINEAR
        return minified_grey(stats, self.grey, linear=linear), None

    def _part_grey(self, pixels: np.ndarray, index: tuple[slice, slice]) -> np.ndarray:
        """Grey levels of ``pixels[index]``; the image's own through its stored codes."""
        assert self.image is not None
        if pixels is self.image.pixels:
            return to_display_part(self.image, index, self.window_override, invert=self.invert)
        return self.grey(pixels[index])

    def _part_in_sight(self, *, margin: float = MARGIN) -> Part:
        """Return the part of the image the Before and After panes show, with a margin."""
        assert self.image is not None
        panes = self.views.panes
        ranges = [
            panes[name].view.viewRange()
            for name in ("before", "after")
            if name == "before" or panes[name].isVisible()
        ]
        return part_in_sight(ranges, self.image.shape, margin=margin)

    def _draw_what_came_in_sight(self) -> None:
        """Draw the panes again where the view has left the part of the image drawn.

        At once, as the view moves: a pan or zoom shows no strip that is not drawn. Only
        grey levels are made again, from the values shown (:meth:`_draw_before_after`).
        Zoomed out past 1:1 (a quick zoom out, or a layout passing through a scale the
        user never chose), a stand-in (:func:`~xraygui.visible.stand_in`) until the zoom
        settles and :meth:`_on_zoom_changed` draws the blocks' means: never their
        statistics at a passing scale.
        """
        if self.image is None:
            return
        at_one_to_one = self.views.panes["before"].blocks() == (1, 1)
        if self._blocks_drawn == STAND_IN:
            if at_one_to_one:  # back at 1:1 before the zoom settled
                self._draw_before_after((1, 1))
        elif self._part is not None and not self._part.covers(self._part_in_sight(margin=0.0)):
            self._draw_before_after((1, 1) if at_one_to_one else STAND_IN)

    def _on_zoom_changed(self) -> None:
        """Draw the panes again where zooming changed how many pixels a screen pixel shows.

        At 1:1 and above, also where the part of the image drawn no longer holds all in
        sight (a pane resized), or has become much larger than the part in sight
        (:data:`PART_SHRINK`): a drag then windows fewer pixels.
        """
        if self.image is None:
            return
        blocks = self.views.panes["before"].blocks()
        if blocks != self._blocks_drawn:
            self.refresh()
            return
        if blocks == (1, 1):
            drawn = self._part or Part.whole(self.image.shape)
            if (
                not drawn.covers(self._part_in_sight(margin=0.0))
                or drawn.area > PART_SHRINK * self._part_in_sight().area
            ):
                self._draw_before_after((1, 1))

    def _on_mode_changed(self, mode: str) -> None:
        """Give the slider the new mode's steps; say what it shows where it has none yet.

        The timeline has put the slider back where this mode left it; it goes to the
        last step only if the mode's steps changed meanwhile.
        """
        frames = self.demo if mode == "demo" else self.trajectory
        self._sync_timeline(go_to_end=len(frames or ()) != self.timeline.frame_count)
        if self.image is None and mode != "demo":  # no demo drawn alone (_draw_demo_alone)
            self.views.panes["after"].set_title(TITLES["after"])
        if mode != "forward" and not frames:
            self.timeline.set_label(
                "Demo: press Generate" if mode == "demo" else "No steps yet: press Denoise"
            )
        generated = self.controls.progress.format().startswith(GENERATED)
        if mode != "demo" and generated and self.worker is None:
            self._show_result_progress()  # the generation's caption is not the result's
        self.refresh()

    def _sync_timeline(self, *, go_to_end: bool | None = None) -> None:
        """Make the slider span the steps of the mode shown (forward mode spans t instead).

        Parameters
        ----------
        go_to_end : bool, optional
            Show the last step; by default only if the slider was at the end already.
        """
        mode = self.timeline.current_mode
        if mode == "forward":
            return
        frames = self.demo if mode == "demo" else self.trajectory
        self.timeline.set_frame_count(len(frames) if frames else 0, go_to_end=go_to_end)

    def _label_frame(self, frame: Frame) -> None:
        self.timeline.set_label(frame.describe(x0=self.timeline.x0))

    def step_shown(self) -> str | None:
        """Say what the After pane shows instead of the denoised result, if it does.

        Returns
        -------
        str or None
            For example ``"after: x_t, step 2/12"`` or ``"forward, t = 250"`` while a
            result exists and the timeline shows something else; None while the After
            pane shows the result, or there is none.
        """
        shown = self._after_shown
        if self.result is None or shown is None or shown.label == RESULT_LABEL:
            return None
        return shown.label

    def _after_title(self, grey: np.ndarray | None) -> str:
        """Title the After pane: what it shows (see :meth:`_after_name`), and if inverted."""
        title = self._after_name(grey)
        return f"{title} (inverted)" if self.invert and self._after_shown is not None else title

    def _after_name(self, grey: np.ndarray | None) -> str:
        mode = self.timeline.current_mode
        if mode == "forward":
            making = "" if self._forward_worker is None else ": making the next t..."
            return f"Forward process q(x_t | x_0){making}"
        if mode == "demo":
            if grey is None:
                return "Demo: press Generate"
            if self.image is None and self.demo is not None:
                rows, cols = self.demo.shape
                return f"Generated from noise ({cols} x {rows} px; no image open)"
            return "Generated from noise"
        if grey is None and self.worker is not None and self.trajectory is not None:
            return "After: denoising..."
        if grey is None:
            return "After: press Denoise" if self.controls.has_model() else "After (no model)"
        frames = self.trajectory.frames if self.trajectory is not None else []
        index = self.timeline.slider.value()
        if not frames or (self.result is not None and index >= len(frames) - 1):
            return "After (denoised)"
        frame = frames[min(index, len(frames) - 1)]
        notes = ["x0 prediction" if self.timeline.x0 else "x_t"]
        if self.trajectory is not None and self.trajectory.stride > 1:
            notes.append(f"steps kept at 1/{self.trajectory.stride} size")
        if self.result is None:
            notes.append("running")
        return f"After: step {frame.step}/{frame.n_steps} ({'; '.join(notes)})"

    def _forward(self) -> tuple[float, np.ndarray] | None:
        """Return the forward process's ``x_t`` at the slider's t, or the last one made meanwhile.

        The slider spans the model's timesteps (its schedule's ``n_timesteps``). An image
        of up to :data:`FORWARD_AT_ONCE_PIXELS` is noised here and now, unless the slider
        is being dragged. Otherwise a worker makes ``x_t`` while the window
        stays responsive, and the last ``x_t`` made is shown meanwhile; when the worker
        ends, the t the slider is at then is made next: the values a drag passes over
        are never made.

        Returns
        -------
        tuple or None
            The t of the pixels and the pixels (None: nothing to show yet).
        """
        base = self.reference if self.reference is not None else self.image
        model_path = self.controls.options().model
        if base is None or model_path is None:
            self.timeline.set_label("The forward process needs a model")
            return None
        seed = self.controls.seed.value()
        try:
            preview = self._preview
            source = FORWARD_SOURCES[self.reference_kind if self.reference is not None else None]
            if (
                preview is None
                or preview.image is not base
                or preview.model_path != model_path
                or preview.source != source
            ):
                self._preview = preview = jobs.ForwardPreview(base, model_path, source=source)
            self.timeline.set_forward_span(preview.model.schedule.n_timesteps)
            t = self.timeline.slider.value()
            kept = preview.kept(float(t), seed)
            if (
                kept is None
                and self._forward_worker is None
                and not self.timeline.slider.isSliderDown()
                and base.pixels.size <= FORWARD_AT_ONCE_PIXELS
            ):
                kept = preview.at(float(t), seed)
        except (XrayError, ValueError) as error:
            self.timeline.set_label(str(error))
            return None
        if kept is not None:
            self.timeline.set_label(preview.label(t, kept[1]))
            return float(t), kept[0]
        failed = self._forward_failed
        if failed is not None and failed[:3] == (preview, float(t), seed):
            self.timeline.set_label(failed[3])
            return None
        if self._forward_worker is None:
            self._start_forward(preview, float(t), seed)
        self.timeline.set_label(
            f"forward q(x_t | x_0), x_0 = {preview.source}:   making t = {t}..."
        )
        return preview.last()

    def _on_forward_time(self) -> None:
        """Show the forward process at the slider's t, or say that it is being made.

        While a worker makes it, the panes keep the x_t drawn: only the label and the
        After pane's title change, so that a drag windows nothing again.
        """
        if self.image is None:
            return
        drawn = self._after_shown
        shown = self._after_values()
        if drawn is None or shown is None or shown.values is not drawn.values:
            self.refresh()
            return
        self._after_shown = shown
        self.views.panes["after"].set_title(self._after_title(None))

    def _start_forward(self, preview: jobs.ForwardPreview, t: float, seed: int) -> None:
        """Make ``x_t`` at `t` in a worker; the panes are drawn again when it ends."""
        if self._closing:  # a closed window starts no job (:meth:`stop_workers`)
            return
        worker = GeneratorWorker(jobs.forward_job, preview, t, seed)
        worker.errored.connect(lambda error: self._on_forward_failed(preview, t, seed, error))
        worker.finished.connect(self._on_forward_finished)
        self._forward_worker = worker
        self._keep(worker)

    def _on_forward_failed(
        self, preview: jobs.ForwardPreview, t: float, seed: int, error: Exception
    ) -> None:
        if preview is self._preview:  # else the image or reference changed meanwhile
            self._forward_failed = (preview, t, seed, error_line(error))  # said, not tried again

    def _on_forward_finished(self) -> None:
        self._forward_worker = None
        if self.image is not None and self.timeline.current_mode == "forward":
            self.refresh()  # shows it, or makes the t the slider has moved to since

    def grey(self, pixels: np.ndarray) -> np.ndarray:
        """Display grey levels of pixel values with the current window and inversion."""
        assert self.image is not None
        return to_display(self.image.with_pixels(pixels), self.window_override, invert=self.invert)

    def refresh(self) -> None:
        """Render every visible pane from the current state (the data are never changed)."""
        panes = self.views.panes
        if self.image is None:
            for pane in panes.values():
                pane.show_grey(None)
            self._draw_demo_alone()
            return
        self._after_shown = self._after_values()
        shown = self._after_shown
        self.metrics.set_result_elsewhere(
            self.result is not None and (shown is None or shown.label != RESULT_LABEL)
        )
        after_grey = self._draw_before_after(panes["before"].blocks())
        panes["after"].set_title(self._after_title(after_grey))
        self._draw_side_panes()
        self.window_label.setText(
            _view_label(self.shown_view(), self.image) + (" inverted" if self.invert else "")
        )

    def _draw_demo_alone(self) -> None:
        """With no image open, draw the demo's step in the After pane at its own size.

        Generating from noise needs no image; the panes are then fitted to the demo.
        Outside demo mode the After pane is left empty (:meth:`_on_mode_changed`).
        """
        if self.timeline.current_mode != "demo":
            return
        after = self.views.panes["after"]
        demo = self.demo
        grey, _ = self._after_grey(self._after_values())
        if grey is not None and demo is not None:
            fitted = after.extent == demo.shape
            after.show_grey(grey, extent=demo.shape)
            if not fitted:
                self.views.fit(shape=demo.shape)
        inverted = " (inverted)" if self.invert and grey is not None else ""
        after.set_title(self._after_name(grey) + inverted)

    def _draw_before_after(self, blocks: tuple[int, int]) -> np.ndarray | None:
        """Draw Before, After and the swipe overlay at minification `blocks`.

        At 1:1 and above (``(1, 1)``) the part in sight with a margin, zoomed out the
        blocks' means (:meth:`_shown_grey`), or a stand-in (:data:`STAND_IN`). The After
        pane's values are those :meth:`refresh` last made (:attr:`_after_shown`): only
        grey levels are made here. Returns the After pane's grey levels.
        """
        assert self.image is not None
        panes, shape = self.views.panes, self.image.shape
        self._blocks_drawn = blocks
        self._part = None
        if blocks == (1, 1):  # window only what is in sight, and a margin
            part = self._part_in_sight()
            self._part = None if part == Part.whole(shape) else part
        grey, place = self._shown_grey(self.image.pixels)
        panes["before"].show_grey(grey, extent=shape, place=place)
        after_grey, place = self._after_grey(self._after_shown)
        panes["after"].show_grey(after_grey, extent=shape, place=place)
        self.views.show_after(after_grey, shape, place)
        return after_grey

    def _draw_side_panes(self) -> None:
        """Draw the Residual and Uncertainty panes, where shown (all of the image)."""
        assert self.image is not None
        panes, shape = self.views.panes, self.image.shape
        if panes["residual"].isVisible():
            residual = self._residual_grey()
            panes["residual"].show_grey(None if residual is None else residual[0])
            panes["residual"].set_title(
                TITLES["residual"] if residual is None else reports.residual_title(residual[1])
            )
        if panes["uncertainty"].isVisible():
            spread_map = None if self.result is None else self.result.uncertainty
            if spread_map is None:
                panes["uncertainty"].show_grey(None)
                # The running Denoise's samples, not the panel's: it may have changed since.
                running = self._set_aside is not None and self._run_options is not None
                panes["uncertainty"].set_title(
                    "Uncertainty: computing..."
                    if running and self._run_options.n_uncertainty_samples > 0
                    else "Uncertainty: set samples > 0, then Denoise"
                )
            else:
                grey, top = self._uncertainty_grey(spread_map)
                panes["uncertainty"].show_grey(grey, extent=shape)
                panes["uncertainty"].set_title(f"Uncertainty std, white {top:.3g} pixel values")

    def shown_view(self) -> Window | VoiLut:
        """Return the window or VOI LUT shown: the user's choice, else the image's default."""
        assert self.image is not None
        return self.window_override or self.image.default_view

    def _residual_grey(self) -> tuple[np.ndarray, float] | None:
        """Grey levels of before - result and the residual shown white, made once per result.

        They ignore the window. Black is at minus the spread, white at plus it (pixel
        values), as the report's residual thumbnail (:func:`residual_spread`).
        """
        denoised = self.denoised
        if denoised is None or self.image is None:
            return None
        cached = self._residual
        if cached is None or cached[0] is not self.image or cached[1] is not denoised:
            spread = residual_spread(self.image, denoised)
            grey = residual_grey(self.image, denoised, spread)
            cached = self._residual = (self.image, denoised, grey, spread)
        return cached[2], cached[3]

    def _uncertainty_grey(self, spread_map: np.ndarray) -> tuple[np.ndarray, float]:
        """Grey levels of the uncertainty map and the std shown white, made once per map.

        White is at the map's 99.5th percentile, padding left out, as in the report.
        """
        if self._uncertainty is None or self._uncertainty[0] is not spread_map:
            padding = None if self.image is None else self.image.padding_mask
            top = reports.spread_white(spread_map, padding)
            grey = np.clip(spread_map / top, 0, 1).astype(np.float32)
            self._uncertainty = (spread_map, grey, top)
        return self._uncertainty[1], self._uncertainty[2]

    def drag_window(self, dx: float, dy: float) -> None:
        """Change window width by horizontal and centre by vertical mouse motion.

        A drag from a VOI LUT starts from the LINEAR window closest to it over the
        image's values (:meth:`VoiLut.linear_window`), so that the picture does not jump.
        """
        if self.image is None:
            return
        window = self._shown_window()
        # A narrow window still moves: a 300 px drag moves it by at least 1 % of the range.
        gain = max(window.width, self.image.data_range / 100, 1e-6) * WINDOW_DRAG_GAIN
        self.window_override = Window(
            center=window.center + dy * gain,
            width=max(window.width + dx * gain, self._narrowest(window)),
            function=window.function,
        )
        self.refresh()

    def _shown_window(self) -> Window:
        """Return the window shown; for a VOI LUT, the LINEAR window closest to it."""
        assert self.image is not None
        shown = self.shown_view()
        if not isinstance(shown, VoiLut):
            return shown
        padding = None if self.image.padding is None else self.image.padding.mask
        values = auto_window(self.image.pixels, padding=padding)
        return shown.linear_window(values.low, values.high)

    def _narrowest(self, window: Window) -> float:
        """LINEAR shows no width under 1 (its w - 1): the width stops there, as shown."""
        assert self.image is not None
        return 1.0 if window_function(self.image, window) == "LINEAR" else 1e-6

    def choose_window(self) -> Window | None:
        """Ask for the window's width and centre (:class:`WindowLevelDialog`) and show it.

        Returns
        -------
        Window or None
            The window now shown; None with no image open or where the dialog was cancelled.
        """
        if self._no_image():
            return None
        window = self._shown_window()
        dialog = WindowLevelDialog(window, narrowest=self._narrowest(window), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        self.window_override = dialog.window()
        self.refresh()
        return self.window_override

    def apply_preset(self, key: int) -> None:
        """Apply window preset `key` (1-5, see :data:`PRESETS`); padding is left out."""
        if self.image is None:
            return
        name, percentiles = PRESETS[key]
        self.window_override = (
            None if percentiles is None else image_auto_window(self.image, percentiles=percentiles)
        )
        if percentiles is None and not file_views(self.image):
            low, high = AUTO_PERCENTILES
            name = f"auto {low:g}-{high:g} % (the file names no window)"
        self.refresh()
        self.statusBar().showMessage(f"Window: {name}", 3000)

    def apply_file_window(self, index: int) -> None:
        """Show the image with the file's window or VOI LUT `index` (see :func:`file_views`)."""
        views = () if self.image is None else file_views(self.image)
        if not 0 <= index < len(views):
            return
        view = views[index]
        self.window_override = None if view == self.image.default_view else view
        self.refresh()
        self.statusBar().showMessage(f"Window: {_view_name(self.image, index)}", 3000)

    def next_file_window(self) -> None:
        """Show the file's next window or VOI LUT, after the one shown (or the first)."""
        views = () if self.image is None else file_views(self.image)
        if not views:
            self.statusBar().showMessage("The file names no window", 3000)
            return
        shown = self.shown_view()
        index = views.index(shown) + 1 if shown in views else 0
        self.apply_file_window(index % len(views))

    def _list_file_windows(self, image: XrayImage) -> None:
        """List the file's windows and VOI LUTs in the View menu (a greyed entry if none)."""
        self.file_windows_menu.clear()
        views = file_views(image)
        for index in range(len(views)):
            action = self.file_windows_menu.addAction(
                _view_name(image, index).replace("&", "&&")  # no mnemonic
            )
            action.triggered.connect(lambda _=False, i=index: self.apply_file_window(i))
        if not views:
            self.file_windows_menu.addAction("The file names no window").setEnabled(False)

    def set_invert(self, on: bool) -> None:
        """Show inverted grey levels (the data are unchanged); the pane titles say so.

        Opening another image turns it off.
        """
        self._show_inverted(on)
        self.refresh()

    def _show_inverted(self, on: bool) -> None:
        """Note whether grey levels are inverted, in the View menu and the Before title."""
        self.invert = on
        self.invert_action.blockSignals(True)
        self.invert_action.setChecked(on)
        self.invert_action.blockSignals(False)
        self.views.set_inverted(on)

    def set_swipe(self, on: bool) -> None:
        """Overlay After on Before with a draggable divider.

        Refused, with a status message, while the After pane shows nothing: there is
        nothing to compare yet. At 1:1 nothing is drawn again at once: the overlay holds
        After's grey levels already, and the panes laid out anew draw what comes in sight.
        """
        if on and self._after_shown is None:
            self.swipe_action.blockSignals(True)
            self.swipe_action.setChecked(False)
            self.swipe_action.blockSignals(False)
            self.statusBar().showMessage(
                "Swipe compares Before with After: there is no After image yet (press Denoise)",
                8000,
            )
            return
        self.views.set_swipe(on)
        if self._part is None:
            self.refresh()

    def set_dark_interface(self, on: bool) -> None:
        """Show the app in the dark interface or in its own look, and remember the choice.

        The whole application changes at once (:func:`xraygui.theme.set_dark_interface`).
        """
        set_dark_interface(on)
        self.settings.setValue(DARK_INTERFACE_KEY, on)

    def _pane(self, name: str, on: bool) -> None:
        self._panes_waiting.discard(f"panes/{name}")  # chosen in this session
        self.views.set_pane_visible(name, on)
        if self._part is None:
            self.refresh()
        elif self.image is not None:  # 1:1: Before and After draw what the layout shows
            self._draw_side_panes()

    def _show_cursor(self, cursor: tuple[str, float, float] | None) -> None:
        """Show where the cursor is, ``(pane, row, col)``, and the value that pane shows there."""
        if cursor is None or self.image is None:
            self.cursor_label.clear()
            return
        name, row, col = cursor
        shown = self._pane_values(name, col)
        self.cursor_label.setText(cursor_text(self.image, row, col, shown))

    def _pane_values(self, name: str, col: float) -> PaneValues | None:
        """Return what pane `name` shows at column `col` (swipe: After right of the divider)."""
        assert self.image is not None
        swipe = self.views.swipe
        after = self._after_shown
        if name == "after" or (
            name == "before" and swipe.enabled and after is not None and col >= swipe.split
        ):
            return after
        if name == "before":
            return PaneValues("before", self.image.pixels)
        if self.result is None:
            return None
        if name == "residual":
            return PaneValues(
                "residual (before - result)",
                self.image.pixels,
                minus=self.result.image.pixels,
                pixel_units=False,
            )
        spread = self.result.uncertainty
        return None if spread is None else PaneValues("uncertainty std", spread, pixel_units=False)

    def update_device_label(self) -> None:
        """Show the device the next run will use."""
        try:
            text = device_label(select_device(self.controls.options().device))
        except ValueError as error:
            text = str(error)
        self.device_label.setText(f"Device: {text}")

    # ----------------------------------------------------------------- reference, ROI, metrics

    def choose_low_dose(self) -> None:
        """Ask for low-dose settings and simulate (with no image open, say so).

        While a job runs nothing is asked: the status bar says why (:meth:`_busy`), as
        for every command that starts a job.
        """
        if self._no_image() or self._busy("Simulate Low Dose"):
            return
        dialog = self.low_dose_dialog()
        if dialog.exec():
            self.simulate_low_dose(dialog.settings())

    def low_dose_dialog(self) -> SimulateDoseDialog:
        """Return the dialog that asks for low-dose settings, showing the last simulation's.

        The opened image's noise, which it fits the quanta to, is measured once per image.
        """
        assert self.source is not None
        if self._source_noise is None or self._source_noise[0] is not self.source:
            self._source_noise = (self.source, image_noise(self.source))
        noise = self._source_noise[1]
        return SimulateDoseDialog(self.source, self, last=self.last_dose, noise=noise)

    def simulate_low_dose(self, settings: LowDoseSettings) -> GeneratorWorker | None:
        """Simulate a lower dose of the opened image in a worker thread.

        The simulated image replaces the shown one and the opened image becomes its
        reference. Cancel stops it before it starts and leaves the image as it was.

        Returns
        -------
        GeneratorWorker or None
            The run, or None if nothing could be started.
        """
        if self.source is None or self._busy("Simulate Low Dose"):
            return None
        message = f"Simulating a {shown_percent(settings.dose, self.locale())} % dose..."
        worker = GeneratorWorker(jobs.simulate_job, self.source, settings, message)
        worker.returned.connect(lambda noisy: self._on_simulated(noisy, settings))
        worker.errored.connect(lambda error: self._job_failed("Cannot simulate", error))
        worker.aborted.connect(
            lambda: self.controls.show_progress(0, 1, "Cancelled: the image is unchanged")
        )
        self._start(worker, message, job=SIMULATION_JOB)
        return worker

    @property
    def dose(self) -> LowDoseSettings | None:
        """The settings of the low-dose simulation shown, or None where none is.

        Image > Use Original is enabled only while one is shown.
        """
        return self._dose

    @dose.setter
    def dose(self, settings: LowDoseSettings | None) -> None:
        self._dose = settings
        self.use_original_action.setEnabled(settings is not None)

    def _on_simulated(self, noisy: XrayImage, settings: LowDoseSettings) -> None:
        replaced = self.reference if self.reference_kind == reports.USER_CHOSEN else None
        if self.reference_kind != reports.SIMULATION_SOURCE:  # else a simulation's replaced it
            self._replaced_reference = (self.reference, self.reference_kind)
        self.reference, self.reference_kind = self.source, reports.SIMULATION_SOURCE
        self.dose, self.last_dose = settings, settings
        self._set_image(noisy)
        self._name_what_is_shown()
        percent = shown_percent(settings.dose, self.locale())
        self.controls.show_progress(1, 1, f"Simulated a {percent} % dose")
        self.controls.status.setText(
            f"Showing a {describe_simulation(self.source, noisy, settings, exact=False)}."
        )
        quanta = "measured" if settings.measured else "assumed"
        message = (
            f"Showing a simulated {percent} % dose "
            f"({whole_number_text(settings.photons_per_pixel, self.locale())} "
            f"{quanta} quanta per pixel at full dose)"
        )
        if replaced is not None:
            name = image_name(replaced)
            message += (
                f"; the opened image is now the reference for the metrics, not {name} "
                "(Image > Use Original brings it back)"
            )
        self.statusBar().showMessage(message, 8000 if replaced is None else 20000)

    def restore_original(self) -> None:
        """Go back from the simulation shown to the image as opened.

        The reference the simulation replaced (a chosen one, or none) is set again; one
        chosen while the simulation was shown is kept. With no simulation shown it does
        nothing: the result and the reference stay.
        """
        if self.source is None or self.dose is None or self._busy("Use Original"):
            return
        if self.reference_kind == reports.SIMULATION_SOURCE:
            self.reference, self.reference_kind = self._replaced_reference
        self._replaced_reference = (None, None)
        self.dose = None
        self._set_image(self.source)
        self._name_what_is_shown()

    def _name_what_is_shown(self) -> None:
        """Title the window and the Before pane with the file, and a simulated dose if any.

        Long after the simulation's own messages are gone (a result replaces the panel's
        status line), they still say that the Before image is a simulation.
        """
        if self.source is None:
            return
        name = image_name(self.source)
        dose = self.dose
        percent = None if dose is None else shown_percent(dose.dose, self.locale())
        simulated = "" if dose is None else f"simulated {percent} % dose"
        self.setWindowTitle(
            name
            + ("" if dose is None else f" ({simulated})")
            + f" - xraygui {__version__} - {DISCLAIMER}"
        )
        self.views.set_before_title(
            "Before" if dose is None else f"Before: {simulated} (seed {dose.seed})"
        )

    def choose_reference(self) -> None:
        """Ask for a reference image of the same size (e.g. a full-dose acquisition).

        Nothing is asked while a job runs (:meth:`_busy`): a simulation would replace it.
        """
        if self.image is None or self._busy("Choose Reference Image"):
            return
        path, _ = self._ask(
            QFileDialog.getOpenFileName, "Reference image", self._last_dir(), OPEN_FILTER
        )
        if path:
            self.set_reference(path)

    def set_reference(self, path: str | Path) -> bool:
        """Read a reference image; it must have the size of the open image.

        One whose values are on another scale (an 8-bit PNG for a 12-bit DICOM, say)
        is taken, with a warning in the status bar (:func:`core.metrics.scale_mismatch`);
        the report records it too. So is the image being denoised itself, or another file
        of its very pixels, with a warning that the metrics compare it with itself
        (:func:`self_reference`). What the reader warned of (colour converted to grey,
        say) is in the status bar's warning too. Refused while a job runs (a simulation
        would replace it when it ends), with a message in the status bar. A data range
        that a few of the reference's pixels set (a hot one) is warned of there and in
        the report too (:func:`core.noise.value_range.metric_range_problem`).
        """
        if self.image is None:
            return False
        # A simulation under way would replace it with the opened image.
        if self._busy("Choose Reference Image"):
            return False
        warned: list[str] = []
        with busy(self.statusBar(), f"Opening {Path(path).name}..."):
            try:
                reference = self._read(path, warned=warned)
            except XrayError as error:
                self.show_error("Cannot open reference", str(error))
                return False
        if reference is None:
            return False
        if reference.shape != self.image.shape:
            self.show_error(
                "Cannot use reference",
                f"{Path(path).name} is {reference.shape[1]} x "
                f"{reference.shape[0]} px; the image is {self.image.shape[1]} "
                f"x {self.image.shape[0]} px",
            )
            return False
        self.reference, self.reference_kind = reference, reports.USER_CHOSEN
        self._forget_made_of_reference()
        self.update_metrics()
        if self.timeline.current_mode == "forward":  # it starts from the reference
            self.refresh()
        name = image_name(self.image)
        warnings_ = [] if (itself := self_reference(reference, self.image)) is None else [itself]
        if (warning := scale_mismatch(reference, self.image)) is not None:
            warnings_.append(f"{name}: {warning} (reference {Path(path).name})")
        if (few := metric_range_problem(reference)) is not None:  # a hot pixel sets the range
            warnings_.append(f"{Path(path).name}: {few}")
        if warned:  # what the reader warned of (colour converted to grey, say)
            prefix = f"{Path(path)}: "  # each names the file: once is enough
            notes = "; ".join(note.removeprefix(prefix) for note in warned)
            warnings_.insert(0, f"{Path(path).name}: {notes}")
        if warnings_:
            self.statusBar().showMessage(f"Warning: {'; '.join(warnings_)}", 20000)
        return True

    def set_roi_enabled(self, on: bool) -> None:
        """Show or remove the metrics rectangle in the Before pane."""
        view = self.views.panes["before"].view
        if self.roi is not None:
            view.removeItem(self.roi)
            self.roi = None
        if on and self.image is not None:
            rows, cols = self.image.shape
            self.roi = OutlinedRectROI(
                (cols // 4, rows // 4), (cols // 2, rows // 2), pen=pg.mkPen("g", width=2)
            )
            self.roi.setZValue(40)
            self.roi.sigRegionChangeFinished.connect(lambda _: self.update_metrics())
            view.addItem(self.roi)
        self.views.roi = self.roi  # Alt+arrows move it
        self.update_metrics()

    def region(self) -> Region | None:
        """Return the ROI as a pixel region inside the image, or None."""
        if self.roi is None or self.image is None:
            return None
        (col, row), (width, height) = self.roi.pos(), self.roi.size()
        row0, col0 = round(row), round(col)
        row1, col1 = row0 + max(round(height), 1), col0 + max(round(width), 1)
        rows, cols = self.image.shape
        row0, col0, row1, col1 = max(row0, 0), max(col0, 0), min(row1, rows), min(col1, cols)
        if row1 <= row0 or col1 <= col0:
            return None  # wholly outside the image
        return clip_region(Region(row0, col0, row1 - row0, col1 - col0), self.image.shape)

    def reference_noise(self) -> NoiseEstimate | None:
        """Return the reference's own noise estimate (made once per reference), or None."""
        if self.reference is None:
            return None
        if self._reference_noise is None or self._reference_noise[0] is not self.reference:
            self._reference_noise = (self.reference, noise_estimate(self.reference))
        return self._reference_noise[1]

    def update_metrics(self) -> None:
        """Bring the metrics panel up to date, computing in a worker thread.

        Only what changed is computed: the whole image's rows are kept when only the
        region moved. One computation runs at a time; when it ends, the next starts if
        the images or the region changed meanwhile, and :attr:`metricsShown` is emitted
        once the panel shows the numbers of the current ones.
        """
        if self.image is None:
            return
        self._show_noise()
        if self.reference is None:  # nothing to compare with: no rows, nothing to compute
            self._show_metrics(self._metric_inputs(), [], None)
        elif self._metrics_worker is None and not self.metrics_current():
            self._start_metrics()

    def _start_metrics(self) -> None:
        inputs = self._metric_inputs()
        reference, image, denoised, region = inputs
        kept = None
        if self._shown is not None and _same_images(self._shown[0], inputs):
            kept = [row for row in self._shown[1] if row.scope == "image"]
        worker = GeneratorWorker(
            jobs.metrics_job,
            reference,
            image,
            denoised,
            region,
            image_rows=kept,
            known_noise=self._reference_noise,
        )
        worker.returned.connect(lambda update: self._on_metrics(inputs, update))
        worker.errored.connect(lambda error: self._on_metrics_failed(inputs, error))
        worker.finished.connect(self._on_metrics_finished)
        self._metrics_worker = worker
        self.metrics.set_pending(True)
        self._keep(worker)

    def _on_metrics(self, inputs: tuple, update: jobs.MetricsUpdate) -> None:
        if update.reference_noise is not None and update.reference_noise[0] is self.reference:
            self._reference_noise = update.reference_noise  # not an old reference's
        if not _same_inputs(inputs, self._metric_inputs()):
            return  # the images or the region changed meanwhile: the next run shows theirs
        noise = None if update.reference_noise is None else update.reference_noise[1]
        self._show_metrics(inputs, update.rows, None if noise is None else noise.sigma)

    def _show_metrics(
        self, inputs: tuple, rows: list[Comparison], reference_noise: float | None
    ) -> None:
        self._shown = (inputs, rows)
        self.metrics.set_rows(rows, reference_noise)
        self.metrics.set_pending(False)
        self.metricsShown.emit()

    def _on_metrics_failed(self, inputs: tuple, error: Exception) -> None:
        self._shown = (inputs, [])  # shown as none, and not tried again for these inputs
        self.metrics.set_rows([])
        self.metrics.set_pending(False)
        self.show_error("Cannot compute the metrics", error_line(error))

    def _on_metrics_finished(self) -> None:
        self._metrics_worker = None
        if self.image is not None and not self.metrics_current():
            self._start_metrics()

    def metrics_current(self) -> bool:
        """Whether the metrics panel shows the numbers of the current images and region."""
        return self._shown is not None and _same_inputs(self._shown[0], self._metric_inputs())

    @property
    def estimating_noise(self) -> bool:
        """Whether the opened image's noise estimate is still being made in a worker."""
        return self._estimating_noise is not None

    @property
    def computing_metrics(self) -> bool:
        """Whether a metrics computation is running (another may follow it)."""
        return self._metrics_worker is not None

    def _metric_inputs(self) -> tuple:
        """Return the reference, noisy and denoised images (by identity) and the region."""
        return self.reference, self.image, self.denoised, self.region()

    def comparison_rows(self) -> list[Comparison]:
        """Return the rows the metrics panel shows (for reports), computed now if stale."""
        if self.metrics_current():
            assert self._shown is not None
            return list(self._shown[1])
        region = self.region()
        return (
            comparisons(
                self.reference,
                self.image,
                self.denoised,
                region=region,
                reference_noise=self.reference_noise(),
            )
            if self.image is not None
            else []
        )

    # ----------------------------------------------------------------- models

    def reload_models(self, select: Path | None = None) -> None:
        """Refill the model picker from the bundled model, the user's folder and loaded files.

        A job being cancelled meanwhile keeps Cancel disabled (:meth:`cancel`).
        """
        extra = [Path(p) for p in self._loaded_models()]
        self.controls.set_models(find_models(extra), select)
        if self._cancelling:  # set_models enables Cancel while a job runs
            self.controls.cancel_button.setEnabled(False)

    def open_train_wizard(self) -> TrainWizard:
        """Open the Train on Folder wizard; a model it saves is selected in the picker.

        One wizard at a time: an open one is raised instead, so that no run is trained
        by two. A closed one (its run paused) is dropped; the new one lists runs afresh.
        """
        for wizard in self.findChildren(TrainWizard):
            if wizard.isVisible():
                wizard.raise_()
                wizard.activateWindow()
                return wizard
            wizard.deleteLater()
        wizard = TrainWizard(self.controls.options().model, parent=self)
        wizard.modelSaved.connect(lambda path: self.reload_models(select=path))
        wizard.show()
        return wizard

    def _loaded_models(self) -> list[str]:
        return self._stored_list("loaded_models")

    def choose_model_file(self) -> None:
        """Ask for a model file and add it to the picker (remembered in the settings)."""
        path, _ = self._ask(
            QFileDialog.getOpenFileName, "Load model", self._last_dir(), "Models (*.safetensors)"
        )
        if path:
            self.add_model_file(path)

    def add_model_file(self, path: str | Path) -> bool:
        """Load `path` from disk as a model and add it to the picker, or say in one line why not.

        It is remembered as given (absolute, a symbolic link not followed, so that a link
        repointed later is followed), newest first, with no cap.
        """
        chosen = Path(path).absolute()
        try:
            jobs.cached_model(chosen, reload=True)
        except Exception as error:  # a bug too is said, never a click that does nothing
            self.show_error("Cannot load model", error_line(error))
            return False
        bundled = stored_path(BUNDLED)  # this install's shipped model
        if is_shipped(chosen) and bundled is not None and chosen != bundled.absolute():
            # Settings name any install's shipped model as this one's (xraygui.models).
            self.statusBar().showMessage(
                f"{chosen} is another installation's shipped model: this version's is used. "
                "To compare them, copy that file and its .json card to another folder first.",
                20000,
            )
            self.reload_models(select=bundled)
            return True
        self.settings.setValue("loaded_models", remember(self._loaded_models(), chosen))
        self._sync_settings()
        self.reload_models(select=chosen)
        return True

    # ----------------------------------------------------------------- denoising

    def _no_image(self) -> bool:
        """Say, as Export does without a result, that no image is open; return whether none is.

        For the commands that need an image (Denoise, Simulate Low Dose, Export Report,
        the exports): a key pressed with none open is answered, never silently ignored.
        """
        if self.source is not None and self.image is not None:
            return False
        if self.interactive:
            QMessageBox.information(self, "No image", "Open an image first.")
        return True

    def _still_reading(self) -> bool:
        reading = self._read_worker is not None or self._reading is not None
        if reading:
            self.statusBar().showMessage("Busy: an image is being opened", 4000)
        return reading

    def _busy(self, command: str) -> bool:
        """Say in the status bar why `command` cannot start now; return whether so.

        A job running, or a file being read, holds the window; a job already cancelled
        is said to be stopping, so that Cancel is not pressed again (it is disabled).
        `command` names what was asked for as its menu does, e.g. ``"Denoise"``.
        """
        if self._closing:  # a closed window starts no job and opens no file
            return True
        if self._still_reading():
            return True
        if self.worker is not None:
            if self._cancelling:
                message = f"Cancelling: {command} is available once the {self._job} has stopped"
            else:
                message = "Busy: wait for the run to finish or press Cancel"
            self.statusBar().showMessage(message, 4000)
            return True
        return False

    def _keep(self, worker: GeneratorWorker) -> None:
        """Start `worker` and list it in :attr:`_running` until its thread has ended.

        A closed window starts none (a redraw's forward process, say): nothing it sent
        would reach the window (:meth:`stop_workers`).
        """
        if self._closing:
            return
        self._running.add(worker)
        # A bound method, not a lambda holding the worker: nothing keeps it once it ends.
        worker.finished.connect(self._forget_worker)
        worker.start()

    def _forget_worker(self) -> None:
        """Take the worker whose ``finished`` signal this is off :attr:`_running`."""
        self._running.discard(self.sender())

    def _start(self, worker: GeneratorWorker, caption: str, *, job: str) -> None:
        """Start a job that holds the window until it ends: the panel shows it, Cancel stops it.

        `job` names it in a question, as in "A `job` is running" (e.g. ``"denoise"``).
        """
        self.worker = worker
        self._job = job
        self.controls.set_running(True)
        self.controls.show_progress(0, 1, caption)
        self.job_progress.show()
        worker.finished.connect(self._on_finished)
        self._keep(worker)

    def _job_failed(self, title: str, error: Exception) -> None:
        self.controls.show_progress(0, 1, "Failed")
        self.show_error(title, error_line(error))

    def _fields_not_taken(self) -> bool:
        """Refuse, naming them, panel fields whose red text a run would not use; return if so."""
        problem = self.controls.not_taken()
        if problem:
            self.show_error("Settings not taken", problem)
        return bool(problem)

    def start_denoise(self) -> GeneratorWorker | None:
        """Denoise the current image in a worker thread with the panel's settings.

        Returns
        -------
        GeneratorWorker or None
            The run, or None if nothing could be started.
        """
        if self._no_image() or self._busy("Denoise") or self._fields_not_taken():
            return None
        options = self.controls.options()
        if options.model is None:
            self.show_error("No model", self.controls.denoise_button.toolTip())
            return None
        self.update_device_label()
        self._forget_batch_summary()
        self._set_aside = SetAside(
            self.result, self.trajectory, self._noise[1], self.controls.status.text()
        )
        self._forget_result()  # until this run returns; shown again if it does not
        self._run_options = options
        self.trajectory = Trajectory(self.image.shape, options.n_steps)
        self.timeline.set_mode("reverse")
        worker = GeneratorWorker(jobs.denoise_job, self.image, options)
        worker.yielded.connect(self._on_progress)
        worker.returned.connect(self._on_result)
        worker.errored.connect(self._on_denoise_error)
        worker.aborted.connect(self._on_denoise_aborted)
        self._start(worker, "Starting: estimating the noise...", job="denoise")
        self.timeline.set_label("Running: steps appear here as they finish")
        self.refresh()
        return worker

    def _estimate_noise(self, image: XrayImage) -> None:
        """Estimate `image`'s noise in a worker; the panel says so until the number comes.

        Should the estimate fail (out of memory, say), the panel shows it unknown and the
        status bar says why.
        """
        self._estimating_noise = image
        worker = GeneratorWorker(jobs.noise_job, image)
        worker.returned.connect(lambda sigma: self._on_noise(image, sigma))
        worker.errored.connect(lambda error: self._on_noise_failed(image, error))
        self._keep(worker)

    def _on_noise_failed(self, image: XrayImage, error: Exception) -> None:
        if image is not self._estimating_noise:
            return  # another image was opened, or a Denoise run measured it meanwhile
        self._on_noise(image, None)
        self.statusBar().showMessage(
            f"Cannot estimate the noise of {image_name(image)}: {error_line(error)}", 20000
        )

    def _on_noise(self, image: XrayImage, sigma: float | None) -> None:
        if image is not self._estimating_noise:
            return  # another image was opened, or a Denoise run measured it meanwhile
        self._estimating_noise = None
        self._noise = (sigma, self._noise[1])
        self._show_noise()

    def _show_noise(self) -> None:
        self.metrics.set_inputs(
            *self._noise,
            has_reference=self.reference is not None,
            estimating=self._estimating_noise is not None,
        )

    def _noise_now(self) -> tuple[float | None, float | None]:
        """Return the noise estimates, made here and now if the worker has not brought them."""
        if self._estimating_noise is not None:
            self._on_noise(self._estimating_noise, noise_sigma(self._estimating_noise))
        return self._noise

    def _forget_result(self) -> None:
        """Drop the result, its steps and its numbers: the panels show no result."""
        self.result = None
        self.trajectory = None
        self._sync_timeline(go_to_end=True)
        self._noise = (self._noise[0], None)
        self.controls.status.clear()
        self.controls.show_warning("")
        self.update_metrics()

    def cancel(self) -> None:
        """Stop the running job at its next step; no partial result is kept.

        A job that has already returned is left to deliver its result: there is
        nothing left to cancel. A cancelled Denoise shows the previous result again.
        Cancel is disabled until the job has stopped: pressing it again does nothing.
        """
        if self.worker is not None and not self.worker.has_returned:
            self.worker.quit()
            self._cancelling = True
            self.controls.cancel_button.setEnabled(False)
            progress = self.controls.progress  # the status line keeps the result
            self.controls.show_progress(progress.value(), progress.maximum(), "Cancelling...")

    def _on_progress(self, event: jobs.Progress, *, demo: bool = False) -> None:
        if event.done >= 0:
            self.controls.show_progress(event.done, event.total, event.text)
        frame = event.frame
        frames = self.demo if demo else self.trajectory
        if frame is not None and frames is not None and frame.image is not None:
            frames.add(frame)
            if self.timeline.current_mode == ("demo" if demo else "reverse"):
                self._sync_timeline()  # follows the newest step unless scrubbed back
            self.refresh()

    def _on_result(self, result: DenoiseResult) -> None:
        self._set_aside = None
        self.result = result
        after = None if math.isnan(result.noise_after) else result.noise_after
        self._noise = (result.noise_before.sigma, after)
        self._estimating_noise = None
        self._sync_timeline()
        self._show_result_progress()
        samples = result.settings.n_uncertainty_samples
        self.controls.status.setText(
            f"{result.model_name}, sha256 {result.model_sha256[:12]}, on {result.device}; "
            f"{result.settings.describe()}, network in {result.precision}; "
            f"t* = {result.t_start:.4g}"
            + (f"; uncertainty from {samples} samples" if samples else "")
        )
        self.controls.show_warning(result_warning(result))
        for key in sorted(self._panes_waiting):  # the remembered panes, now with content
            self._pane_actions()[key].setChecked(True)
        self.update_metrics()
        self.refresh()
        self.resultShown.emit()

    def _on_denoise_error(self, error: Exception) -> None:
        if not self._restore_set_aside():  # else the timeline labels the result's last step
            self.timeline.set_label("Failed: no result")
        self._job_failed("Denoising failed", error)
        self.refresh()

    def _on_denoise_aborted(self) -> None:
        if self._restore_set_aside():
            self.controls.show_progress(0, 1, "Cancelled: showing the previous result")
        else:
            self.timeline.set_label("Cancelled: no result kept")
            self.controls.show_progress(0, 1, "Cancelled")
            self.controls.status.setText("Cancelled: no result kept.")
        self.refresh()

    def _restore_set_aside(self) -> bool:
        """Drop a run that did not return and show again the result it replaced, if any.

        Returns
        -------
        bool
            Whether a previous result is shown.
        """
        kept, self._set_aside = self._set_aside, None
        if kept is None or kept.result is None:
            self._forget_result()
            return False
        self.result, self.trajectory = kept.result, kept.trajectory
        self._noise = (self._noise[0], kept.noise_after)
        self._sync_timeline(go_to_end=True)
        self.controls.status.setText(kept.status)
        self.controls.show_warning(result_warning(kept.result))
        self.update_metrics()
        return True

    def _on_finished(self) -> None:
        self.worker = None
        self._cancelling = False
        self.controls.set_running(False)
        self.job_progress.hide()
        self.refresh()
        if self._open_after_job is not None:  # the job was cancelled to open this
            path, frame = self._open_after_job
            self._open_after_job = None
            # Once the worker's end is handled: opening runs an event loop of its own.
            QTimer.singleShot(0, self, lambda: self.request_open(path, frame=frame))

    def start_demo(self) -> GeneratorWorker | None:
        """Generate an image from pure noise with the model, step by step (demo mode)."""
        if self._busy("Generate"):
            return None
        options = self.controls.options()
        if options.model is None:
            self.show_error("No model", self.controls.denoise_button.toolTip())
            return None
        try:
            multiple = size_multiple(jobs.cached_model(options.model))
        except XrayError as error:
            self.show_error("Cannot load model", str(error))
            return None
        shape = demo_shape((128, 128) if self.image is None else self.image.shape, multiple)
        n_steps = self.timeline.demo_steps.value()  # its own, never the Denoise's
        self.demo = Trajectory(shape, n_steps, scaled=False)
        worker = GeneratorWorker(jobs.demo_job, options, shape, n_steps)
        worker.yielded.connect(lambda event: self._on_progress(event, demo=True))
        worker.returned.connect(
            lambda _: self.controls.show_progress(1, 1, f"{GENERATED} in {n_steps} step(s)")
        )
        worker.errored.connect(lambda error: self._on_demo_stopped("Generation failed", error))
        worker.aborted.connect(lambda: self._on_demo_stopped("Cancelled", None))
        self._start(worker, "Generating from pure noise...", job="generation from noise")
        self.timeline.set_label("Generating: steps appear here as they finish")
        self.refresh()
        return worker

    def _show_result_progress(self) -> None:
        """Give the progress bar the result's own caption, or none where there is no result."""
        if self.result is None:
            self.controls.show_progress(0, 1, "")
        else:
            self.controls.show_progress(1, 1, f"Done in {self.result.seconds:.1f} s")

    def _on_demo_stopped(self, what: str, error: Exception | None) -> None:
        self.demo = None
        self._sync_timeline(go_to_end=True)
        self.timeline.set_label(f"{what}: press Generate")
        if error is None:
            self.controls.show_progress(0, 1, what)
        else:
            self._job_failed(what, error)
        self.refresh()

    def stop_workers(self) -> None:
        """Cancel every job and wait for its thread (at close and at quit); start no more.

        From then on nothing a job sends, queued already or not, reaches the window or
        its widgets, deleted or not: each worker is detached
        (:meth:`GeneratorWorker.detach`), but for a file being read, whose slots only
        end the read's wait (:meth:`_read` then returns None), and the window no longer
        counts any job as running (:attr:`worker`, :attr:`computing_metrics`...). The
        wait is bounded (:data:`STOP_WAIT_MS` in all); a thread still running then stays
        in :attr:`_running`, for the app's exit to wait for.
        """
        self._closing = True
        self.timeline.play.setChecked(False)  # its timer would keep redrawing the closed window
        self._model_settled.stop()
        for worker in self._running:
            if worker is self._read_worker:
                worker.quit()
            else:
                worker.detach()
        self.worker = self._metrics_worker = self._forward_worker = None
        self._estimating_noise = None
        deadline = QDeadlineTimer(STOP_WAIT_MS)
        self._running = {w for w in self._running if not w.wait(deadline.remainingTime())}

    def closeEvent(self, event) -> None:  # noqa: D102 (Qt override)
        self._open_after_job = None  # a job cancelled to open a file: nothing opens now
        for wizard in self.findChildren(TrainWizard):
            if not wizard.closing:  # a second close would stop the pausing run at once
                wizard.close()  # a run pauses: checkpointed, exported, resumable
        self.stop_workers()
        self.controls.save(self.settings)
        self._save_layout()
        self._forget_dialog_history()  # a dialog of another window (the wizard's) kept some
        super().closeEvent(event)

    def _save_layout(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        for key, action in self._pane_actions().items():
            self.settings.setValue(key, action.isChecked() or key in self._panes_waiting)

    def _pane_actions(self) -> dict[str, QAction]:
        """Return the side panes chosen in the View menu, by their settings key.

        Swipe is not among them: it needs an After image, which a new session lacks. The
        remembered ones are shown with the session's first result, not empty at start,
        where they crowded the Before pane.
        """
        return {
            "panes/residual": self.residual_action,
            "panes/uncertainty": self.uncertainty_action,
        }

    def _restore_layout(self) -> None:
        """Restore the saved geometry, dock layout, side panes and interface, or the defaults.

        A value that is not a byte array (a settings file cut short or edited by hand) or
        that Qt cannot restore is removed, and the status bar says the default is used.
        The light interface is the default.
        """
        self._panes_waiting = {
            key for key in self._pane_actions() if self.settings.value(key, False, type=bool)
        }
        dark = self.settings.value(DARK_INTERFACE_KEY, False, type=bool)
        self.dark_action.setChecked(dark)
        set_dark_interface(dark)  # toggled is not emitted where the action was so already
        unread = False
        for key, restore in (("geometry", self._restore_geometry), ("state", self.restoreState)):
            value = self.settings.value(key)
            if value is None:
                continue
            if not (isinstance(value, (QByteArray, bytes, bytearray)) and restore(value)):
                self.settings.remove(key)
                unread = True
            elif key == "state":
                self._docks_sized = True  # as the user left them
        if unread:
            self.statusBar().showMessage(
                "The saved window layout could not be read: default layout used"
            )

    def _restore_geometry(self, geometry: QByteArray | bytes | bytearray) -> bool:
        """Restore a saved geometry; False, and the default kept, if it cannot be.

        Qt restores a byte array cut short as a window of a pixel or so and says it was
        restored: a window smaller than its minimum size hint is taken as not restored.
        """
        default = self.geometry()
        hint = self.minimumSizeHint()
        if self.restoreGeometry(geometry) and self.size().expandedTo(hint) == self.size():
            return True
        self.setGeometry(default)
        return False

    # ----------------------------------------------------------------- export

    def choose_report_dir(self) -> None:
        """Ask where to write the report and whether to include patient identifiers.

        The report is of what the window shows when asked (:meth:`_report_now`): a
        simulation that ends, or a file that opens, while the questions are asked does
        not change it.
        """
        if self._no_image():
            return
        with busy(self.statusBar(), "Taking what the report describes..."):
            report = self._report_now()  # the dialogs run events: the image may change
        options = ReportOptionsDialog(self)
        if not options.exec():
            return
        folder = self._ask(QFileDialog.getExistingDirectory, "Report folder", self._last_dir())
        if folder:
            try:
                with busy(self.statusBar(), "Writing the report..."):
                    content = report(include_identifiers=options.identifiers.isChecked())
                    paths = reports.write_report(content, Path(folder))
            except (OSError, XrayError) as error:
                self.show_error("Cannot write report", str(error))
                return
            self.statusBar().showMessage(
                "Report written: " + ", ".join(p.name for p in paths), 8000
            )

    def export_report(self, folder: str | Path, *, include_identifiers: bool = False) -> list[Path]:
        """Write the PDF, JSON and CSV report of the current session into `folder`.

        The report is of what the window shows: while a Denoise run is going, it says
        that it leaves out that run and the result the run is replacing.

        Returns
        -------
        list of Path
            The three files.
        """
        content = self._report_now()(include_identifiers=include_identifiers)
        return reports.write_report(content, Path(folder))

    def _report_now(self) -> Callable[..., reports.ReportContent]:
        """Return the report of what the window shows now, less the identifiers' choice.

        Taken when the user asks for the report, it is written as it was then, whatever
        the window shows once the questions are answered.

        Returns
        -------
        callable
            :meth:`reports.ReportContent.from_session` given all but
            ``include_identifiers``.
        """
        assert self.image is not None
        note = None
        if self._set_aside is not None:
            note = "A denoise was running when this report was made: it is not included"
            if self._set_aside.result is not None:
                note += ", nor the earlier result it is replacing"
            note += "."
        display = _view_label(self.shown_view(), self.image) + (", inverted" if self.invert else "")
        if (step := self.step_shown()) is not None:
            display += f"; After is the final result, not the step shown ({step})"
        return functools.partial(
            reports.ReportContent.from_session,
            source=self.source,
            image=self.image,
            reference=self.reference,
            reference_kind=self.reference_kind,
            dose=self.dose,
            result=self.result,
            rows=self.comparison_rows(),
            noise=self._noise_now(),
            reference_noise=None if (noise := self.reference_noise()) is None else noise.sigma,
            window=self.window_override,
            invert=self.invert,
            note=note,
            display=display,
        )

    def choose_export_image(self) -> None:
        """Ask where to write the denoised image; write the one shown when asked.

        Refused while a Denoise run goes. A simulation that ends, or a file that opens,
        while the name is asked for does not change what is written (:class:`Shown`).
        """
        if self._no_image() or self._denoise_running():
            return
        if self.denoised is None:
            QMessageBox.information(self, "Nothing to export", "Denoise an image first.")
            return
        shown = self._shown_now()  # the dialog runs events: the image may change meanwhile
        suffix = jobs.OUTPUT_SUFFIX[self.source.source_format]  # a format that holds its values
        default = str(Path(self._last_dir()) / f"{self.export_stem()}{suffix}")
        step = self.step_shown()
        final = "" if step is None else f" (the final result, not the step shown: {step})"
        path, chosen = self._ask(
            QFileDialog.getSaveFileName, f"Export denoised image{final}", default, EXPORT_FILTER
        )
        if path:
            write = functools.partial(self.export_image, shown=shown)
            self._export_to(path, EXPORT_SUFFIXES.get(chosen, suffix), write, final)

    def choose_export_uncertainty(self) -> None:
        """Ask where to write the uncertainty map of the result (a 32-bit float TIFF).

        As :meth:`choose_export_image`: the map of the result shown when asked.
        """
        if self._no_image() or self._denoise_running():
            return
        if self.result is None or self.result.uncertainty is None:
            QMessageBox.information(
                self,
                "No uncertainty map",
                "Set Uncertainty samples to 2 or more in the Denoise panel, then Denoise.",
            )
            return
        shown = self._shown_now()
        default = str(Path(self._last_dir()) / f"{self.export_stem('uncertainty')}.tif")
        step = self.step_shown()
        final = "" if step is None else f" (of the final result, not the step shown: {step})"
        path, _ = self._ask(
            QFileDialog.getSaveFileName,
            f"Export uncertainty map{final}",
            default,
            UNCERTAINTY_FILTER,
        )
        if path:
            write = functools.partial(self.export_uncertainty, shown=shown)
            self._export_to(path, ".tif", write, final)

    def _denoise_running(self) -> bool:
        """Say that a Denoise run is going, whose result an export must wait for; return whether."""
        if self._set_aside is None:
            return False
        text = "A denoise is running: wait for its result"
        if self._set_aside.result is not None:
            text += ", or press Cancel to export the previous one"
        QMessageBox.information(self, "Denoise running", text + ".")
        return True

    def _shown_now(self) -> Shown:
        """Return what the window shows now: what an export asked for now writes."""
        assert self.source is not None and self.image is not None
        return Shown(self.source, self.image, self.dose, self.result)

    def _export_to(self, path: str, suffix: str, write, final: str) -> None:
        """Write an export chosen in a file dialog; say where, or in one line why not.

        Parameters
        ----------
        path : str
            The name chosen; `suffix` is added to one typed without an image file's
            extension (:data:`core.io.sniff.IMAGE_SUFFIXES`): ``chest v1.2`` and
            ``phantom_simulated12.5pct_denoised`` have none.
        suffix : str
            The extension of the format the dialog's filter names.
        write : callable
            :meth:`export_image` or :meth:`export_uncertainty`.
        final : str
            What the status message adds: that it holds the final result, not the step
            shown.
        """
        if Path(path).suffix.lower() not in IMAGE_SUFFIXES:  # the format the filter names
            path += suffix
            # The dialog asked before replacing the name typed, not this one: ask here.
            if Path(path).exists() and not self._may_replace(Path(path)):
                return
        try:
            with busy(self.statusBar(), f"Writing {Path(path).name}..."):
                with collecting_warnings() as notes:
                    # Replacing a file was confirmed, by the dialog or by _may_replace.
                    written = write(path, overwrite=True)
        except XrayError as error:
            self.show_error("Cannot export", str(error))
            return
        self.statusBar().showMessage(f"Written{final}: {written}", 8000)
        if notes:
            self.errors.append(f"Exported with a warning: {'; '.join(notes)}")
            if self.interactive:
                QMessageBox.warning(self, "Exported, with a warning", "\n".join(notes))

    def _may_replace(self, path: Path) -> bool:
        """Ask whether to replace the existing `path` (No unless the user says Yes)."""
        answer = QMessageBox.question(
            self,
            "Replace file?",
            f"{path.name} exists in {path.parent}.\nDo you want to replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def export_stem(self, what: str = "denoised") -> str:
        """Suggest a name for an export: source, frame, simulated dose, then `what`.

        For example ``"chest_simulated25pct_denoised"``, or with `what`
        ``"uncertainty"`` the name of the result's uncertainty map. A dose's decimal
        point is written ``p`` (``simulated12p5pct``): a name has no dot but its
        extension's.
        """
        assert self.source is not None
        source = self.source.source_path or Path("image")
        parts = [source.stem]
        if self.source.n_frames > 1:
            parts.append(f"frame{self.source.frame + 1:03d}")  # from 1, as the frame box
        if self.dose is not None:
            percent = dose_percent(self.dose.dose, exact=False).replace(".", "p")
            parts.append(f"simulated{percent}pct")
        return "_".join([*parts, what])

    def export_image(
        self, path: str | Path, *, overwrite: bool = False, shown: Shown | None = None
    ) -> Path:
        """Write the denoised image: derived DICOM, 16-bit PNG or TIFF by the extension.

        A PNG's or TIFF's description ends with the source file's record
        (:meth:`_source_record`), as ``xray-denoise denoise`` writes it. A ``.npy`` name
        is refused: such a file holds neither the notice nor the description.

        Parameters
        ----------
        path : str or Path
            Destination; core refuses the source file, even with `overwrite`.
        overwrite : bool
            Replace an existing file.
        shown : Shown, optional
            What to write, taken when the user asked (:meth:`choose_export_image`); what
            the window shows now where omitted.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        XrayError
            If the name is not a DICOM's, PNG's or TIFF's or the file cannot be written
            (nothing is left behind).
        """
        suffix = Path(path).suffix.lower()
        if suffix == ".npy":
            raise ImageWriteError(
                path,
                f"a .npy file holds neither the '{DISCLAIMER}' notice nor the result's "
                "description: name it .tif, which holds float values and the description",
            )
        if suffix not in IMAGE_SUFFIXES:  # a JPEG's is refused by write_image, saying why
            raise ImageWriteError(
                path, f"unsupported output format {suffix or '(none)'}: use .dcm, .png or .tif"
            )
        shown = self._shown_now() if shown is None else shown
        result, dose = shown.result, shown.dose
        assert result is not None
        description = result.description()
        record = self._source_record(Path(path), shown.source, simulated=dose is not None)
        if dose is None:
            return write_image(
                result.image, path, description=description + record, overwrite=overwrite
            )
        # What was denoised is a simulation: said first, as what was done before (where a
        # description is too long, its oldest text goes first), with its exposure.
        simulation = describe_simulation(shown.source, shown.image, dose)
        return write_image(
            result.image,
            path,
            description=f"then {description}{record}",
            history=simulation,
            operation=dose_operation(dose.dose, OPERATION_MAX, denoised=True),
            dose=dose.dose,
            overwrite=overwrite,
        )

    def export_uncertainty(
        self, path: str | Path, *, overwrite: bool = False, shown: Shown | None = None
    ) -> Path:
        """Write the result's uncertainty map as a 32-bit float TIFF, in pixel values.

        Each value is the standard deviation, over the uncertainty samples, of that
        pixel's denoised value. The description says so (:func:`uncertainty_description`),
        then, as the denoised export's does, the simulation if one was denoised, the
        model and settings and the source file's record; the notice and the version end
        it. The pixel spacing is kept (TIFF resolution).

        Parameters
        ----------
        path : str or Path
            Destination, ``.tif`` or ``.tiff``.
        overwrite : bool
            Replace an existing file.
        shown : Shown, optional
            Whose map to write, taken when the user asked
            (:meth:`choose_export_uncertainty`); the window's now where omitted.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        XrayError
            If the name is not a TIFF's or the file cannot be written (nothing is left
            behind).
        """
        shown = self._shown_now() if shown is None else shown
        result, dose = shown.result, shown.dose
        assert result is not None and result.uncertainty is not None
        path = Path(path)
        if path.suffix.lower() not in (".tif", ".tiff"):
            raise ImageWriteError(
                path, "the uncertainty map is written as a 32-bit float TIFF: name it .tif"
            )
        spread = result.image.with_pixels(
            result.uncertainty,
            mapping=StoredMapping(bits_stored=32, is_float=True),
            photometric="MONOCHROME2",  # 0, no spread, is black
            voi_lut=None,
            padding=None,
        )
        description = uncertainty_description(result)
        if dose is not None:  # what was denoised is a simulation: say so first
            simulation = describe_simulation(shown.source, shown.image, dose)
            description = f"{simulation}; then {description}"
        description += self._source_record(path, shown.source, simulated=dose is not None)
        return write_image(spread, path, description=description, overwrite=overwrite)

    def _source_record(self, destination: Path, image: XrayImage, *, simulated: bool) -> str:
        """Return what an export to `destination` records of the file `image` came from, or "".

        A PNG's or TIFF's description ends with the SHA-256 of the bytes `image` was
        read from (:attr:`XrayImage.source_sha256`: not of the file as it may be by
        now) and its frame, as ``xray-denoise denoise`` writes it
        (:func:`core.io.source_record.source_record`); where what was denoised is a
        lower dose `simulated` from it, the record says so, and ``--skip-existing``
        does not take the export for that file denoised. A DICOM references its source
        in its SourceImageSequence instead.
        """
        digest = image.source_sha256
        if digest is None or not records_by_description(destination):
            return ""
        return f"; {source_record(digest, image.frame, simulated=simulated)}"

    def choose_batch(self) -> None:
        """Ask for an input and an output folder and denoise every image to disk.

        Nothing is asked while a job runs (:meth:`_busy`), a panel field is red
        (:meth:`_fields_not_taken`), without a model, or with a model whose files are
        gone (the line a Denoise gives, :func:`jobs.check_model_present`).
        """
        if self._busy("Batch Denoise Folder") or self._fields_not_taken():
            return
        model = self.controls.options().model
        if model is None:
            self.show_error("No model", self.controls.denoise_button.toolTip())
            return
        try:
            jobs.check_model_present(model)
        except XrayError as error:
            self.show_error("Cannot denoise", error_line(error))
            return
        source = self._ask(QFileDialog.getExistingDirectory, "Folder to denoise", self._last_dir())
        if not source:
            return
        target = self._ask(QFileDialog.getExistingDirectory, "Output folder (not the same)", source)
        if target:
            self.start_batch(source, target)

    def start_batch(self, source: str | Path, target: str | Path) -> GeneratorWorker | None:
        """Denoise every image under `source` into `target` with one CSV row per file."""
        if self._busy("Batch Denoise Folder") or self._fields_not_taken():
            return None
        self._forget_batch_summary()
        worker = GeneratorWorker(
            jobs.batch_job, Path(source), Path(target), self.controls.options()
        )
        self._batch_table = None
        worker.yielded.connect(self._on_batch_progress)
        worker.returned.connect(self._on_batch_done)
        worker.errored.connect(lambda error: self._job_failed("Batch failed", error))
        worker.aborted.connect(self._on_batch_cancelled)
        self._start(worker, "Batch: starting...", job="batch denoise")
        return worker

    def _on_batch_progress(self, event: jobs.Progress) -> None:
        """Show a batch's progress; keep the path of its table (:attr:`jobs.Progress.table`)."""
        if event.table is not None:
            self._batch_table = event.table
        self.controls.show_progress(event.done, event.total, event.text)

    def _on_batch_cancelled(self) -> None:
        """Say that the batch was cancelled, and where its table lists the files done."""
        self.controls.show_progress(0, 1, "Batch cancelled: its table lists the files done")
        if self._batch_table is not None:
            self.batch_label.setText(
                f"Batch cancelled: the files done are listed in {self._batch_table}"
            )
            self.batch_label.show()

    def _on_batch_done(self, summary: str) -> None:
        # The panel's status line and warning describe the result still shown: not replaced.
        self.controls.show_progress(1, 1, "Batch done")
        self.statusBar().clearMessage()  # the summary is the latest news
        self.batch_label.setText(summary)
        self.batch_label.show()

    def _forget_batch_summary(self) -> None:
        """Take the last batch's summary off the status bar."""
        self.batch_label.clear()
        self.batch_label.hide()

    # ----------------------------------------------------------------- help

    def show_help(self) -> QDialog:
        """Show the mouse and keyboard controls beside the window; return their dialog.

        The list scrolls, in a dialog no taller than the screen's available height.
        """
        if self._help is None:
            self._help = help_dialog(self)
        self._help.show()
        self._help.raise_()
        self._help.activateWindow()
        return self._help

    def _on_seed_changed(self) -> None:
        if self.timeline.current_mode == "forward":  # its noise is drawn from the seed
            self.refresh()

    def _on_model_changed(self) -> None:
        """In forward mode, show the chosen model's x_t; its schedule spans the slider."""
        if not self._closing and self.timeline.current_mode == "forward":
            self.refresh()

    def show_about(self) -> None:
        """Show the version, the model chosen and its training data's attribution, the use."""
        QMessageBox.about(self, "About xraygui", about_text(self.controls.options().model))


CONTROLS = (
    ("Left-drag", "pan; on the swipe divider or the region of interest: move it"),
    ("Wheel", "zoom"),
    ("Right-drag", "window (left/right) and level (up/down)"),
    ("=, +, Ctrl++, Ctrl+=", "zoom in"),
    ("-, Ctrl+-", "zoom out"),
    ("Arrow keys", "pan *"),
    ("Shift+Left, Shift+Right", "move the swipe divider *"),
    ("Alt+arrow keys", "move the region of interest *"),
    ("Alt+Shift+arrow keys", "resize the region of interest *"),
    ("Ctrl+Left, Ctrl+Right", "narrow, widen the window"),
    ("Ctrl+Down, Ctrl+Up", "lower, raise the level (window centre)"),
    ("1-5", "window presets (1 = the file's own window)"),
    ("W", "the file's next window, where it names several"),
    ("A", "auto window"),
    ("I", "invert"),
    ("F", "fit"),
    ("O", "1:1"),
    ("S", "swipe Before | After"),
    ("R", "residual pane"),
    ("U", "uncertainty pane"),
    ("Space", "play / pause the steps"),
    ("Ctrl+G", "region of interest for metrics"),
    ("Ctrl+L", "simulate low dose"),
    ("Ctrl+R", "export report"),
    ("Ctrl+E", "export denoised image"),
    ("Ctrl+D", "denoise"),
    ("Esc", "cancel the running job"),
    ("Ctrl+O, Ctrl+Shift+O", "open images, a folder"),
    ("F1, Ctrl+Q", "this list, quit"),
)
"""The mouse and keyboard controls Help lists, as (controls, what they do); the controls
are separated by commas."""
HELP_TEXT = (
    "<table>"
    + "".join(
        f"<tr><td><b>{key}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for key, what in CONTROLS
    )
    + "</table><p>* while a pane has the keyboard focus (click it or Tab to it)</p>"
    + "<p>Letters, digits and Space typed in the Images list or the DICOM tags go to that"
    " list where one of its names starts with them (its type-ahead); other keys are the"
    " keys above.</p>"
)


def forget_file_dialog_history(store: QSettings) -> None:
    """Remove what Qt's own file dialogs remember of the folders visited.

    QFileDialog writes the group ``FileDialog`` of ``QSettings(QSettings.Scope.UserScope,
    "QtProject")`` (``~/.config/QtProject.conf`` on Linux) as it closes: ``history`` and
    ``lastVisited`` (the folders visited, named after patients maybe), ``viewMode`` and
    ``qtVersion``, even where the dialog shown is the system's, and where it is Qt's own
    (Linux without a platform theme, say) ``shortcuts``, ``sidebarWidth`` and
    ``treeViewHeader`` too. Only that group is removed; the file's other groups stay.

    Parameters
    ----------
    store : QSettings
        Qt's settings (``QSettings(QSettings.Scope.UserScope, "QtProject")``), or a stand-in.
    """
    store.sync()  # what another process wrote lately too
    if QT_FILE_DIALOG_GROUP in store.childGroups():  # else the file is left unwritten
        store.remove(QT_FILE_DIALOG_GROUP)
        store.sync()


def help_dialog(parent: QWidget) -> QDialog:
    """Return a dialog "Mouse and Keys" listing :data:`HELP_TEXT` in a scrolling browser.

    Its height fits the available height of the screen `parent` is on.
    """
    dialog = QDialog(parent)
    dialog.setWindowTitle("Mouse and Keys")
    browser = QTextBrowser()
    browser.setHtml(HELP_TEXT)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    room = parent.screen().availableGeometry()
    room.setHeight(room.height() - dialog.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight))
    width = min(640, room.width())
    browser.document().setTextWidth(width - 40)
    height = browser.document().size().height() + buttons.sizeHint().height() + 40
    dialog.setMaximumHeight(room.height())
    dialog.resize(width, min(int(height), room.height()))
    return dialog


def _plain(text: str) -> str:
    """Return a menu text without its mnemonic: ``"Zoom &Out"`` -> ``"Zoom Out"``."""
    return re.sub("&(.)", r"\1", text)


def _tooltip(action: QAction) -> str:
    """Return an action's tooltip: its name without the mnemonic, then its keys if any.

    For example ``"Invert (I)"`` or ``"Zoom In (Ctrl++, Ctrl+=, =, +)"``.
    """
    keys = ", ".join(
        key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()
    )
    name = _plain(action.text()).removesuffix("...")
    return f"{name} ({keys})" if keys else name


def file_views(image: XrayImage) -> tuple[Window | VoiLut, ...]:
    """Return what the file offers to show the image with: its windows, then its VOI LUTs.

    In the order of View > Window Presets > The File's Windows and of key W.
    """
    return (*image.file_windows, *image.file_voi_luts)


def size_text(image: XrayImage) -> str:
    """Say an image's size and its pixels' size, columns x rows for both.

    For example ``"1024 x 800 px, pixel 0.2 x 0.1 mm"``: 1024 columns of 0.2 mm, 800
    rows of 0.1 mm (the image's spacing is row spacing, then column spacing).
    """
    rows, cols = image.shape
    if image.pixel_spacing is None:
        return f"{cols} x {rows} px, pixel size unknown"
    row_spacing, column_spacing = image.pixel_spacing
    return f"{cols} x {rows} px, pixel {column_spacing:g} x {row_spacing:g} mm"


def _view_name(image: XrayImage, index: int) -> str:
    """Name the file's window or VOI LUT `index` (of :func:`file_views`) for a menu or message.

    For example ``"File window 2 LUNG (C 1200, W 800)"``, ``"File window 1 (C 2048,
    W 4096, SIGMOID)"`` where the function is not LINEAR (:func:`_function_named`), or
    ``"File VOI LUT 1 NORMAL (4096 entries, first 0, 16 bits)"``, numbered from 1 among
    the windows or the VOI LUTs. A window's centre and width have the decimals of the
    status bar's label (:func:`_window_decimals`).
    """
    view = file_views(image)[index]
    label = f" {view.explanation}" if view.explanation else ""
    if isinstance(view, VoiLut):
        number = index - len(image.file_windows) + 1
        return (
            f"File VOI LUT {number}{label} "
            f"({len(view.table)} entries, first {view.first}, {view.bits} bits)"
        )
    function = _function_named(view, image)
    decimals = _window_decimals(view, image)  # as the status bar's label (_view_label)
    return (
        f"File window {index + 1}{label} (C {view.center:.{decimals}f}, "
        f"W {view.width:.{decimals}f}"
        f"{'' if function is None else f', {function}'})"
    )


def _view_label(view: Window | VoiLut, image: XrayImage) -> str:
    """Say what is shown, for the status bar: ``"W 800 C 1200"`` or ``"VOI LUT NORMAL"``.

    A window shown with a function other than LINEAR names it: ``"W 800 C 1200 SIGMOID"``.

    A VOI LUT without an explanation is named by its number among the file's.
    """
    if not isinstance(view, VoiLut):
        function = _function_named(view, image)
        decimals = _window_decimals(view, image)
        return f"W {view.width:.{decimals}f} C {view.center:.{decimals}f}" + (
            "" if function is None else f" {function}"
        )
    if view.explanation:
        return f"VOI LUT {view.explanation}"
    numbers = [i + 1 for i, lut in enumerate(image.file_voi_luts) if lut == view]
    return f"VOI LUT {numbers[0]}" if numbers else "VOI LUT"


def _window_decimals(window: Window, image: XrayImage) -> int:
    """Return the decimals a window's width and centre are both written with.

    None where the image's pixel values are integers and so are both (``"W 4328 C
    673"``); else one on integer pixel values (``"W 4327.5 C 673.2"``), and on others
    (floating-point data, a fractional rescale) two, more for a width under 1 (three
    significant digits: ``"W 0.0123 C 0.0062"``). One of the file's own windows is
    written as the file holds it: with the fewest decimals that write both numbers
    exactly, up to :data:`FILE_WINDOW_DECIMALS` (``"W 400 C 40.25"``, not ``"C 40.2"``).
    """
    if window in image.file_windows:
        return max(_exact_decimals(window.width), _exact_decimals(window.center))
    mapping = image.mapping
    integers = not mapping.is_float and all(
        float(number).is_integer() for number in (mapping.slope, mapping.intercept)
    )
    if integers:
        return 0 if all(float(n).is_integer() for n in (window.width, window.center)) else 1
    return max(2, 2 - math.floor(math.log10(abs(window.width) or 1.0)))


FILE_WINDOW_DECIMALS = 6
"""Most decimals a file's own window centre or width is written with."""


def _exact_decimals(number: float) -> int:
    """Return the fewest decimals, up to :data:`FILE_WINDOW_DECIMALS`, that write `number`."""
    return next(
        (d for d in range(FILE_WINDOW_DECIMALS) if float(f"{number:.{d}f}") == number),
        FILE_WINDOW_DECIMALS,
    )


def _function_named(window: Window, image: XrayImage) -> str | None:
    """Return the VOILUTFunction `window` is shown with where the file names one not LINEAR.

    That of the window, else of the file (a dragged window keeps it): ``"SIGMOID"`` or
    ``"LINEAR_EXACT"``; None for LINEAR, or where neither names one.
    """
    function = window.function or image.window.function
    return None if function in (None, "LINEAR") else function


def _same_file(image: XrayImage, path: str | Path) -> bool:
    """Return whether `image` was read from the file at `path` (another frame of it, say)."""
    if image.source_path is None:
        return False
    return resolved(Path(image.source_path)) == resolved(Path(path))


def _folder_in_use(path: Path) -> bool:
    """Whether the folder of `path` is there and lists anything (a file missing there is gone).

    False where it is missing, empty (the mount point of a share not mounted) or cannot
    be listed: that says nothing of the file.
    """
    try:
        with os.scandir(path.parent) as entries:
            return next(entries, None) is not None
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return False


def _file_stat(path: Path) -> tuple[int, int] | None:
    """Return the size and mtime_ns of the file at `path`, or None where it cannot be read."""
    try:
        stat = path.stat()
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    return stat.st_size, stat.st_mtime_ns


def _same_images(a: tuple, b: tuple) -> bool:
    """Whether two metric inputs hold the same reference, noisy and denoised image objects."""
    return all(x is y for x, y in zip(a[:3], b[:3], strict=True))


def _same_inputs(a: tuple, b: tuple) -> bool:
    """Whether two metric inputs hold the same images and an equal region."""
    return _same_images(a, b) and a[3] == b[3]
