"""Small modal dialogs: simulate a lower dose, report options."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from core.image import XrayImage
from core.noise import (
    DEFAULT_ELECTRONIC_NOISE,
    DEFAULT_PHOTONS_PER_PIXEL,
    LowDoseSettings,
    NoiseEstimate,
)


class SimulateDoseDialog(QDialog):
    """Ask for a dose fraction, the detector's quanta and electronic noise, and a seed.

    The quanta per pixel are measured from the image's own noise where a log
    detector's describes it (:meth:`core.noise.LowDoseSettings.measured_from`), so a
    dose of 25 % means a quarter of the quanta the image was taken with; otherwise,
    or on request, they are entered.

    Parameters
    ----------
    image : XrayImage
        The image to simulate from.
    parent : QWidget, optional
        The main window.
    """

    def __init__(self, image: XrayImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image
        self.setWindowTitle("Simulate low dose")
        self.dose = QDoubleSpinBox(suffix=" %", decimals=1, minimum=0.5, maximum=100.0, value=25.0)
        self.dose.setToolTip("Fraction of the dose of the open image")
        self.measure = QCheckBox("Measure the quanta from the image's noise")
        self.measure.setToolTip(
            "Fits a log detector's noise to the image's noise-level function: the quanta "
            "per pixel at every intensity and the attenuation its range spans"
        )
        self.measured_label = QLabel()
        self.measured_label.setWordWrap(True)
        self.photons = QDoubleSpinBox(
            decimals=0, minimum=1.0, maximum=1e9, value=DEFAULT_PHOTONS_PER_PIXEL
        )
        self.photons.setToolTip("Detected quanta per pixel behind no attenuation, at full dose")
        self.electronic = QDoubleSpinBox(
            decimals=1, minimum=0.0, maximum=100.0, value=DEFAULT_ELECTRONIC_NOISE
        )
        self.electronic.setToolTip(
            "Detector read-out noise, in quanta rms (the image's noise pins it down poorly, "
            "so it is entered)"
        )
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "Makes a lower-dose version of the open image (Poisson quantum noise plus\n"
                "electronic noise) and keeps the open image as the reference for metrics."
            )
        )
        form.addRow("Dose", self.dose)
        form.addRow(self.measure)
        form.addRow(self.measured_label)
        form.addRow("Quanta per pixel (full dose)", self.photons)
        form.addRow("Electronic noise (quanta)", self.electronic)
        form.addRow("Seed", self.seed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._measured: LowDoseSettings | None = None
        self._noise: NoiseEstimate | None = None  # made once: a refit for new electronic noise
        self._remeasure()
        self.measure.setChecked(self._measured is not None)
        self.measure.toggled.connect(self._show_choice)
        self.electronic.valueChanged.connect(self._remeasure)
        self._show_choice()

    def _remeasure(self) -> None:
        """Measure the quanta for the electronic noise shown (the fit depends on it)."""
        try:
            if self._noise is None:
                self._noise = NoiseEstimate.from_pixels(self.image.pixels)
            self._measured = LowDoseSettings.measured_from(
                self.image, 1.0, electronic_noise=self.electronic.value(), noise=self._noise
            )
        except ValueError as error:
            self._measured = None
            self.measured_label.setText(f"Cannot measure the quanta: {error}.")
        else:
            self.measured_label.setText(
                f"Measured: {self._measured.photons_per_pixel:,.0f} quanta per unattenuated "
                f"pixel at full dose, attenuation 0-{self._measured.max_attenuation:.2f} "
                "over the range of values."
            )
        self.measure.setEnabled(self._measured is not None)
        if self._measured is None:
            self.measure.setChecked(False)
        self._show_choice()

    def _show_choice(self) -> None:
        """Show the measured quanta in the (then fixed) field, or let them be entered."""
        measured = self.measure.isChecked() and self._measured is not None
        self.photons.setEnabled(not measured)
        if measured:
            self.photons.setValue(round(self._measured.photons_per_pixel))

    def settings(self) -> LowDoseSettings:
        """Return the settings the dialog shows."""
        dose, seed = self.dose.value() / 100.0, self.seed.value()
        if self.measure.isChecked() and self._measured is not None:
            return replace(self._measured, dose=dose, seed=seed)
        return LowDoseSettings(
            dose=dose,
            photons_per_pixel=self.photons.value(),
            electronic_noise=self.electronic.value(),
            seed=seed,
        )


class ReportOptionsDialog(QDialog):
    """Ask whether patient identifiers go into the report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        self.identifiers = QCheckBox("Include patient identifiers (name, ID, birth date)")
        form = QFormLayout(self)
        form.addRow(QLabel("Writes a PDF, a JSON and a CSV file. Not for diagnostic use."))
        form.addRow(self.identifiers)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
