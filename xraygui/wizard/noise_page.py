"""Page 2: the dose range and electronic noise, with a simulated patch as preview."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWizardPage,
)

from core.display import to_display
from core.errors import XrayError
from core.image import XrayImage
from core.io import read_image
from core.noise import (
    DEFAULT_ELECTRONIC_NOISE,
    DEFAULT_PHOTONS_PER_PIXEL,
    LowDoseSettings,
    simulate_low_dose_image,
)
from core.noise.dose import dose_percent
from xraygui.exact_spinbox import LocaleSpinBox, whole_number_text
from xraygui.wizard.common import grey_pixmap, scrolling_body
from xraygui.wizard.runs import validation_doses

PREVIEW = 128
HONEST_NOTE = (
    "Training adds Gaussian noise of every level in the model's domain (the diffusion "
    "objective), so the model learns all noise levels: the dose and electronic noise set "
    "here do not change what it is trained on. They set a second validation. During "
    "training, a centred crop of each held-out image is simulated at the lowest, the "
    "middle (geometric mean) and the highest dose, as in this preview (quantum thinning "
    "of the full-dose quanta given above, or, where none is given, of those measured from "
    "each held-out image's own noise where its noise allows, else {quanta} per unattenuated "
    "pixel; plus this electronic "
    "noise), and denoised as the app denoises (blind noise estimate, variance "
    "stabilisation, reverse diffusion from the estimated level, 1 view). Its PSNR and SSIM "
    "against the full-dose crop are shown on the Run and Result pages beside those of the "
    "fixed Gaussian levels (noisy PSNR 43, 36 and 30 dB). The full-dose crop keeps its own "
    "noise, which counts as error, so at high doses the denoised score can fall below the "
    "noisy one."
)
"""What the dose settings do; ``{quanta}`` takes the default quanta, written in the locale."""


MEASURED = "measured"
"""What the quanta field shows where none is given: each image's are measured."""
QUANTA_TIP = (
    "Detected quanta per unattenuated pixel at full dose, as your detector gives them "
    "(from its calibration). Left at 'measured', they are measured from each held-out "
    "image's noise where it allows; give them where they cannot be measured."
)
MAX_QUANTA = 1e9
"""The most full-dose quanta the field takes."""


NOT_VALIDATED = (
    "No patient is held out of this folder (it has one patient or study), so nothing "
    "will be validated, at these doses or otherwise: the model will not be scored."
)


def preview_patch(
    path: Path, settings: LowDoseSettings, side: int = PREVIEW, *, image: XrayImage | None = None
) -> tuple:
    """Return display grey levels (uint8) of a centred patch and its low-dose version.

    Parameters
    ----------
    path : Path
        An image file.
    settings : LowDoseSettings
        The simulation.
    side : int
        Side of the patch.
    image : XrayImage, optional
        The file's image, if already read.

    Returns
    -------
    clean, simulated : ndarray of uint8
    """
    image = read_image(path, digest=False) if image is None else image
    rows, cols = image.pixels.shape[:2]
    top, left = max(0, (rows - side) // 2), max(0, (cols - side) // 2)
    patch = image.with_pixels(image.pixels[top : top + side, left : left + side])
    low = simulate_low_dose_image(patch, settings)
    window = patch.window

    def grey(im) -> np.ndarray:
        return np.round(to_display(im, window) * 255).astype(np.uint8)

    return grey(patch), grey(low)


class NoisePage(QWizardPage):
    """Dose range and electronic noise, previewed on a patch of the first usable image."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Noise")
        self.setSubTitle("The low-dose range of your protocols.")
        self.image_path: Path | None = None
        self.image_frame = 0
        self._image: XrayImage | None = None
        self._measured: dict[float, tuple[LowDoseSettings, str | None]] = {}
        self.held_out = QLabel()
        self.held_out.setWordWrap(True)
        self.held_out.hide()
        self.dose_low = self._spin(1.0, 100.0, 10.0, 1.0, suffix=" %")
        self.dose_high = self._spin(1.0, 100.0, 50.0, 5.0, suffix=" %")
        self.electronic = self._spin(0.0, 100.0, DEFAULT_ELECTRONIC_NOISE, 0.5)
        self.quanta = self._spin(0.0, MAX_QUANTA, 0.0, 1000.0)
        self.quanta.setDecimals(1)  # 0.4 is too few quanta, not 0 (measured)
        self.quanta.setSpecialValueText(MEASURED)  # at 0: none given
        self.quanta.setToolTip(QUANTA_TIP)
        self.quanta.setAccessibleName("Full-dose quanta per unattenuated pixel")
        self.clean = QLabel()
        self.simulated = QLabel()
        self.note = QLabel(HONEST_NOTE.format(quanta=self._whole(DEFAULT_PHOTONS_PER_PIXEL)))
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Lowest dose (of the full dose):", self.dose_low)
        form.addRow("Highest dose:", self.dose_high)
        form.addRow("Electronic noise (quanta):", self.electronic)
        form.addRow("Full-dose quanta per unattenuated pixel:", self.quanta)
        pictures = QHBoxLayout()
        pictures.addWidget(self.clean)
        pictures.addWidget(self.simulated)
        pictures.addStretch(1)
        self.caption = QLabel()
        self.caption.setWordWrap(True)  # a long reason why the quanta were not measured
        self.doses = QLabel()
        layout = QVBoxLayout(scrolling_body(self))
        layout.addLayout(form)
        layout.addWidget(self.doses)
        layout.addWidget(self.held_out)
        layout.addLayout(pictures)
        layout.addWidget(self.caption)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def _spin(
        self, low: float, high: float, value: float, step: float, *, suffix: str = ""
    ) -> LocaleSpinBox:
        spin = LocaleSpinBox()
        spin.setSuffix(suffix)
        spin.setRange(low, high)
        spin.setDecimals(2)
        spin.setSingleStep(step)
        spin.setValue(value)
        spin.valueChanged.connect(self.update_preview)
        return spin

    def _whole(self, number: float) -> str:
        """Write ``number`` rounded to a whole one, thousands grouped in the page's locale."""
        return whole_number_text(number, self.locale())

    def dose_range(self) -> tuple[float, float]:
        """Lowest and highest dose as fractions of the full dose, in order.

        The fields show percent, as the main window does; the training takes fractions.
        """
        fields = (self.dose_low, self.dose_high)
        a, b = (float(f"{field.typed_value() / 100.0:.6g}") for field in fields)
        return (min(a, b), max(a, b))

    def val_photons(self) -> float | None:
        """Return the full-dose quanta given for the validation at doses; None: measured."""
        quanta = self.quanta.typed_value()
        return None if quanta == 0 else quanta

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        """Complete unless the quanta given leave the lowest dose under 1 quantum a pixel."""
        quanta = self.val_photons()
        return quanta is None or quanta * self.dose_range()[0] >= 1

    def set_image(self, path: Path | None, *, frame: int = 0) -> None:
        """Preview on this image (the scan's first that is not blank), frame `frame` from 0."""
        self.image_path = path
        self.image_frame = frame
        self._image = None
        self._measured.clear()
        self.update_preview()

    def set_held_out(self, patients: int) -> None:
        """Say, where the scan holds out no patient, that nothing will be validated."""
        self.held_out.setText(NOT_VALIDATED)
        self.held_out.setVisible(patients == 0)

    def _full_dose(self) -> tuple[LowDoseSettings, str | None]:
        """Return the preview image's quanta: given, or measured once per electronic noise.

        Returns
        -------
        settings : LowDoseSettings
            At dose 1: the quanta given (:meth:`val_photons`), else
            :meth:`LowDoseSettings.measured_or_default`, as the validation chooses them.
        why_not_measured : str or None
            None where they were given or measured.
        """
        if self._image is None:
            self._image = read_image(self.image_path, frame=self.image_frame, digest=False)
        electronic = self.electronic.value()
        given = self.val_photons()
        if given is not None:
            return LowDoseSettings(1.0, given, electronic_noise=electronic), None
        if electronic not in self._measured:
            self._measured[electronic] = LowDoseSettings.measured_or_default(
                self._image, 1.0, electronic_noise=electronic
            )
        return self._measured[electronic]

    def validation_doses(self) -> tuple[float, ...]:
        """Return the doses the run validates at: the range's ends and geometric mean."""
        return validation_doses(*self.dose_range())

    def update_preview(self) -> None:
        """Simulate the lowest dose on the preview patch; name the validation's doses."""
        doses = ", ".join(f"{dose_percent(d, exact=False)} %" for d in self.validation_doses())
        self.doses.setText(f"Validation doses (blind denoise): {doses}")
        self.completeChanged.emit()  # the quanta given may be too few for the lowest dose
        if self.image_path is None:
            self.caption.setText("No image to preview.")
            return
        dose = self.dose_range()[0]
        try:
            full, why_not = self._full_dose()
            settings = replace(full, dose=dose)
            clean, low = preview_patch(self.image_path, settings, image=self._image)
        except (XrayError, ValueError) as error:
            self.caption.setText(f"No preview: {error}")
            return
        self.clean.setPixmap(grey_pixmap(clean))
        self.simulated.setPixmap(grey_pixmap(low))
        taken = self._whole(full.photons_per_pixel)
        if self.val_photons() is not None:
            quanta = f"full-dose quanta given: {taken} per unattenuated pixel"
        elif why_not is None:
            quanta = f"quanta measured from its noise: {taken} per unattenuated pixel"
        else:
            quanta = (
                f"its quanta cannot be measured ({why_not}), so {taken} per unattenuated "
                "pixel are taken: give your detector's full-dose quanta above"
            )
        percent = dose_percent(dose, exact=False)
        self.caption.setText(
            f"{self.image_path.name}: full dose (left) and simulated at {percent} % dose "
            f"(right); {quanta}."
        )
