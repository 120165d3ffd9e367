"""Small modal dialogs: simulate a lower dose, report options."""

from __future__ import annotations

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

from core.noise import DEFAULT_ELECTRONIC_NOISE, LowDoseSettings


class SimulateDoseDialog(QDialog):
    """Ask for a dose fraction, electronic noise and seed.

    Parameters
    ----------
    parent : QWidget, optional
        The main window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Simulate low dose")
        self.dose = QDoubleSpinBox(suffix=" %", decimals=1, minimum=0.5, maximum=100.0, value=25.0)
        self.dose.setToolTip("Fraction of the dose of the open image")
        self.electronic = QDoubleSpinBox(
            decimals=1, minimum=0.0, maximum=100.0, value=DEFAULT_ELECTRONIC_NOISE
        )
        self.electronic.setToolTip("Detector read-out noise, in quanta rms")
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "Makes a lower-dose version of the open image (Poisson quantum noise plus\n"
                "electronic noise) and keeps the open image as the reference for metrics."
            )
        )
        form.addRow("Dose", self.dose)
        form.addRow("Electronic noise (quanta)", self.electronic)
        form.addRow("Seed", self.seed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def settings(self) -> LowDoseSettings:
        """Return the settings the dialog shows."""
        return LowDoseSettings(
            dose=self.dose.value() / 100.0,
            electronic_noise=self.electronic.value(),
            seed=self.seed.value(),
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
