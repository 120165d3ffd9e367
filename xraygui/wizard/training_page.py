"""Page 3: fine-tune or start fresh, time budget or steps, learning rate, patch, batch, binning."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWizardPage,
)

from core.device import DEVICE_CHOICES, free_memory_bytes, select_device
from core.diffusion.unet import UNetConfig
from core.training.config import FINE_TUNE_LR_FRACTION, TrainConfig
from xraygui.exact_spinbox import LocaleSpinBox
from xraygui.wizard.common import counted, scrolling_body
from xraygui.wizard.scan import ScanReport

GIB = 1024**3
PATCH_MULTIPLE = UNetConfig().size_multiple
"""Patch sides the standard network takes (the tiny one's multiple divides it)."""
FRESH_LR = TrainConfig.lr
"""A fresh start's peak learning rate: the training's default."""
FINE_TUNE_LR = FRESH_LR * FINE_TUNE_LR_FRACTION
"""A fine-tune's: a quarter of a fresh start's (5e-5), as on the command line."""
LEARNING_RATES = (FRESH_LR, 1e-4, FINE_TUNE_LR, 2e-5)
"""Peak learning rates offered."""


def default_batch(free_bytes: int) -> tuple[int, int]:
    """Patch side and batch size that fit comfortably in ``free_bytes`` of device memory.

    Parameters
    ----------
    free_bytes : int
        Free memory of the training device.

    Returns
    -------
    patch_size, batch_size : int
        96 px patches; 4 per step below 4 GiB, 8 below 8 GiB, 16 from 8 GiB.
    """
    if free_bytes < 4 * GIB:
        return 96, 4
    if free_bytes < 8 * GIB:
        return 96, 8
    return 96, 16


class TrainingPage(QWizardPage):
    """How to train.

    Parameters
    ----------
    current_model : Path or None
        The model selected in the app (offered for fine-tuning).
    """

    def __init__(self, current_model: Path | None) -> None:
        super().__init__()
        self.setTitle("Training")
        self.setSubTitle("Start point, length and size of the run.")
        self.current_model = current_model
        self.finetune = QRadioButton(
            f"Fine-tune the current model ({current_model.stem})"
            if current_model
            else "Fine-tune the current model (none selected)"
        )
        self.fresh = QRadioButton("Start fresh")
        self.finetune.setEnabled(current_model is not None)
        (self.finetune if current_model is not None else self.fresh).setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.finetune)
        group.addButton(self.fresh)
        self.architecture = QComboBox()
        self.architecture.addItems(["standard", "tiny"])
        self.architecture.setToolTip("Network of a fresh start (tiny: for quick trials)")
        self.fresh.toggled.connect(self.architecture.setEnabled)
        self.architecture.setEnabled(self.fresh.isChecked())
        self.lr = QComboBox()
        for lr in LEARNING_RATES:
            self.lr.addItem(f"{lr:.0e}", lr)
        self.lr.setToolTip(
            "Peak AdamW learning rate. A fine-tune starts lower than a fresh run so that it "
            "adapts the model rather than first undoing it (the shipped model's third and "
            "fourth stages used 5e-5)."
        )
        self.fresh.toggled.connect(self._default_lr)
        self._default_lr()

        self.by_time = QRadioButton("Time budget")
        self.by_steps = QRadioButton("Number of steps")
        self.by_time.setChecked(True)
        length = QButtonGroup(self)
        length.addButton(self.by_time)
        length.addButton(self.by_steps)
        self.minutes = LocaleSpinBox()
        self.minutes.setRange(0.05, 7 * 24 * 60)
        self.minutes.setValue(60)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Time budget")  # its label is a radio button
        self.steps = QSpinBox()
        self.steps.setRange(1, 10_000_000)
        self.steps.setValue(20_000)
        self.steps.setAccessibleName("Number of steps")
        self.by_time.toggled.connect(self.minutes.setEnabled)
        self.by_steps.toggled.connect(self.steps.setEnabled)
        self.steps.setEnabled(False)

        self.device = QComboBox()
        self.device.addItems(list(DEVICE_CHOICES))
        self.device.currentTextChanged.connect(self._defaults_for_device)
        self.patch = QSpinBox()
        self.patch.setRange(PATCH_MULTIPLE, 512)
        self.patch.setSingleStep(PATCH_MULTIPLE)
        self.patch.setToolTip(f"A multiple of {PATCH_MULTIPLE} px (the network halves it 4 times)")
        self.patch.editingFinished.connect(self._snap_patch)
        self.batch = QSpinBox()
        self.batch.setRange(1, 256)
        self.binning = QSpinBox()
        self.binning.setRange(1, 4)
        self.binning.setValue(1)
        self.binning.setPrefix("N = ")
        self.binning.setToolTip(
            "Average N x N pixel blocks of each training image before patches are cut "
            "(held-out images are scored as stored). 2 thins the grain that downscaled films "
            "keep, which the network would otherwise learn as anatomy; the shipped model's "
            "last stage used 2. Keep 1 for images at their detector's resolution."
        )
        self.memory = QLabel()
        self.memory.setWordWrap(True)
        self.device_error: str | None = None
        self.usable: int | None = None
        self.selection = QLabel("Usable images: scan a folder first.")
        self.selection.setWordWrap(True)
        self.edited: set[QSpinBox] = set()
        """The memory-based fields the user has changed: a device choice leaves them."""
        self._setting_defaults = False
        for box in (self.patch, self.batch):
            box.valueChanged.connect(partial(self._mark_edited, box))
        self._defaults_for_device("auto")

        form = QFormLayout(scrolling_body(self))
        form.addRow(self.finetune)
        form.addRow(self.fresh)
        form.addRow("Architecture:", self.architecture)
        form.addRow(self.by_time, self.minutes)
        form.addRow(self.by_steps, self.steps)
        form.addRow("Learning rate:", self.lr)
        form.addRow("Device:", self.device)
        form.addRow("Patch size (px):", self.patch)
        form.addRow("Batch size:", self.batch)
        form.addRow("Binning (N x N):", self.binning)
        form.addRow(self.selection)
        form.addRow(self.memory)

    def _defaults_for_device(self, preference: str) -> None:
        try:
            device = select_device(preference)
        except (RuntimeError, ValueError) as error:
            self.device_error = str(error)
            self.memory.setText(f"<b>Device unavailable:</b> {error}")
            self.completeChanged.emit()
            return
        self.device_error = None
        self.completeChanged.emit()
        free = free_memory_bytes(device)
        defaults = dict(zip((self.patch, self.batch), default_batch(free), strict=True))
        self._setting_defaults = True
        try:
            for box, value in defaults.items():
                if box not in self.edited:
                    box.setValue(value)
        finally:
            self._setting_defaults = False
        kept = " for the sizes you have not changed" if self.edited else ""
        self.memory.setText(
            f"{device.type}: {free / GIB:.1f} GiB free; defaults set from it{kept}."
        )

    def _mark_edited(self, box: QSpinBox, _value: int) -> None:
        """Remember that the user changed `box`, so that a device choice keeps its value."""
        if not self._setting_defaults:
            self.edited.add(box)

    def show_selection(self, report: ScanReport | None) -> None:
        """Show how many images a run of this patch size and binning uses and holds out.

        Parameters
        ----------
        report : ScanReport or None
            The Data page's scan, selected for this page's patch size and binning
            (:meth:`ScanReport.select`); None while there is none.
        """
        if report is None:
            self.usable = None
            self.selection.setText("Usable images: scan a folder first.")
        else:
            self.usable = report.n_usable
            binned = f" binned {report.binning} x {report.binning}" if report.binning > 1 else ""
            if report.n_usable == 0:
                self.selection.setText(
                    f"<b>No image holds a {report.patch_size} px patch{binned}:</b> choose a "
                    "smaller patch size or binning."
                )
            else:
                self.selection.setText(
                    f"{counted(report.n_usable, 'usable image')} for {report.patch_size} px "
                    f"patches{binned}: {report.train_images} for training, "
                    f"{report.val_images} held out "
                    f"({counted(report.val_patients, 'patient/study', 'patients/studies')})."
                )
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        """Complete when some image is usable and the chosen device is available."""
        return self.device_error is None and (self.usable is None or self.usable > 0)

    def _snap_patch(self) -> None:
        """Round a typed patch size to the nearest multiple the networks accept."""
        value = self.patch.value()
        snapped = max(PATCH_MULTIPLE, round(value / PATCH_MULTIPLE) * PATCH_MULTIPLE)
        if snapped != value:
            self.patch.setValue(snapped)

    def _default_lr(self) -> None:
        lr = FRESH_LR if self.fresh.isChecked() else FINE_TUNE_LR
        self.lr.setCurrentIndex(LEARNING_RATES.index(lr))

    def learning_rate(self) -> float:
        """Return the chosen peak learning rate."""
        return float(self.lr.currentData())

    def init_model(self) -> Path | None:
        """Return the model to fine-tune, or None for a fresh start."""
        return self.current_model if self.finetune.isChecked() else None

    def length(self) -> tuple[int, float | None]:
        """Return the steps (learning-rate horizon) and time budget in minutes (None: all steps)."""
        if self.by_time.isChecked():
            return 100_000, self.minutes.typed_value()
        return self.steps.value(), None
