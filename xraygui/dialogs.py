"""Small modal dialogs: simulate a lower dose, report options."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace
from decimal import Decimal

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QStyle,
    QWidget,
)

from core.image import Window, XrayImage
from core.noise import (
    DEFAULT_ELECTRONIC_NOISE,
    DEFAULT_MAX_ATTENUATION,
    DEFAULT_PHOTONS_PER_PIXEL,
    LowDoseSettings,
    NoiseEstimate,
)
from core.noise.dose import (
    MAX_ATTENUATION,
    MAX_ELECTRONIC_NOISE,
    MAX_PHOTONS_PER_PIXEL,
    MIN_DOSE,
    dose_fraction,
    dose_percent,
    leaves_a_quantum,
    smallest_dose_percent,
)
from core.noise.electronic import electronic_noise_problem
from core.noise.noise_free import noise_free_problem
from core.noise.value_range import value_range
from xraygui.exact_spinbox import (
    ExactSpinBox,
    WarningColour,
    grouping,
    read_number,
    rounded_text,
)
from xraygui.seed_box import SeedBox

FITS_KEPT = 16
"""Quanta fits the dose dialog keeps (:class:`QuantaFits`), the last used."""
DOSE_DECIMALS = 27
"""Decimals the dose field's value keeps (Qt rounds it to them): a float's every digit from
1e-10 % up (17 decimals kept 8 significant digits there)."""
MIN_PERCENT = Decimal(dose_percent(MIN_DOSE, exact=True))
"""The smallest dose a simulation runs at, in percent: 0.0000000001."""


def plain_decimal(number: Decimal, decimal_point: str = ".") -> str:
    """Write a number in plain decimals: no exponent, no trailing zeros.

    Parameters
    ----------
    number : Decimal
        The number.
    decimal_point : str
        The locale's decimal separator.

    Returns
    -------
    str
        ``"0.0000000001"`` for ``Decimal("1E-10")``, ``"25"`` for ``Decimal("25.0")``,
        ``"0,5"`` for ``Decimal("0.50")`` with a decimal comma. Every digit is kept.
    """
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").removesuffix(".")
    return text.replace(".", decimal_point)


class DoseSpinBox(ExactSpinBox):
    """The dose field: a percent written and read as a decimal, by decades below 1 %.

    Its text is the percent in plain decimals with the locale's decimal point
    (``"0.0000000001 %"``, never an exponent), as typed where that reads as the value:
    a float percent cannot hold every decimal (16.666666666666666 reads as the float
    16.666666666666664), so :meth:`percent` reads the text as a decimal, and the dose
    simulated is the one whose percent the field shows, as ``--dose`` reads the same
    digits (:func:`core.noise.dose.dose_fraction`). From 1 % up an arrow steps by 1 %;
    below, by a decade (1 %, 0.1 %, 0.01 %...), never down past :attr:`floor`.

    Parameters
    ----------
    parent : QWidget, optional
        The parent widget.
    """

    floor = MIN_PERCENT
    """The smallest percent the Down arrow steps to (the dialog's quanta allow no less)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(minimum=float(MIN_PERCENT), maximum=100.0, value=25.0, parent=parent)
        self.setDecimals(DOSE_DECIMALS)
        self.setSuffix(" %")

    def set_floor(self, floor: Decimal) -> None:
        """Let the Down arrow step no lower than ``floor`` percent (and show whether it can)."""
        if floor != self.floor:
            self.floor = floor
            self.update()  # the arrows' state

    def percent(self) -> Decimal:
        """Return the percent the field shows or holds typed, every digit as written.

        Returns
        -------
        Decimal
            The text's number where it is one in range; else the value last taken.
        """
        typed = self._decimal(self.lineEdit().text())
        if typed is None or not self.hasAcceptableInput():
            return Decimal(repr(self.value()))
        return typed

    def set_percent(self, percent: Decimal) -> None:
        """Show ``percent`` as written, its value the float nearest to it.

        Parameters
        ----------
        percent : Decimal
            A percent in range.
        """
        shown = plain_decimal(percent, self._separators()[0])
        self.lineEdit().setText(f"{self.prefix()}{shown}{self.suffix()}")  # kept by textFromValue
        self.setValue(float(percent))

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        """Step from the number the text shows (clamped into range): by 1 % or by decades.

        Up adds 1 from 1 % on and multiplies by 10 below it (to 1 % at most), to at most
        100 %; Down takes 1 while 1 % or more is left, goes to 1 % from between 1 and 2 %,
        and divides by 10 from 1 % and below (1 % to 0.1 %), never below :attr:`floor`
        (nor at all from below it). Text that is no number is kept.
        """
        percent = self._decimal(self.lineEdit().text())
        if percent is None:
            return
        start = min(max(percent, MIN_PERCENT), Decimal(100))
        percent = start
        for _ in range(abs(steps)):
            if steps > 0:
                percent = percent + 1 if percent >= 1 else min(percent.scaleb(1), Decimal(1))
            else:
                if percent >= 2:
                    percent -= 1
                else:  # from (1, 2) to 1 %, the decade's start; from 1 % and below by decades
                    percent = Decimal(1) if percent > 1 else percent.scaleb(-1)
        if steps > 0:
            percent = min(percent, Decimal(100))
        else:
            percent = max(percent, min(start, self.floor))
        self.set_percent(percent)
        if self.style().styleHint(QStyle.StyleHint.SH_SpinBox_SelectOnStep, None, self):
            self.selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802 (Qt override)
        """Step down only above :attr:`floor`, and only from a number."""
        enabled = super().stepEnabled()
        percent = self._decimal(self.lineEdit().text())
        if percent is None or percent <= self.floor:
            enabled &= ~QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return enabled

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        """Write ``value`` in plain decimals: as the text has it where that reads as it."""
        typed = self._decimal(self.lineEdit().text())
        if typed is None or float(typed) != value:
            typed = Decimal(repr(float(value)))
        return plain_decimal(typed, self._separators()[0])

    def _decimal(self, text: str) -> Decimal | None:
        """Read text as :func:`read_number` does, as a decimal (None where it is no number)."""
        number = self._number_text(text).strip()
        point, group = self._separators()
        if read_number(number, point, group) is None:
            return None
        return Decimal(number.replace(group, "").replace(point, "."))


@dataclass(frozen=True)
class QuantaFit:
    """The quanta measured from an image's noise at one electronic noise, or why not.

    Parameters
    ----------
    measured : LowDoseSettings or None
        :meth:`core.noise.LowDoseSettings.measured_from` at dose 1 and seed 0; None
        where the measurement is refused.
    refused : str or None
        Why it is refused; None where it is not.
    depends : str or None
        Where the quanta hang on the electronic noise
        (:func:`core.noise.electronic.electronic_noise_problem`); None otherwise.
    """

    measured: LowDoseSettings | None
    refused: str | None = None
    depends: str | None = None

    @classmethod
    def of(cls, image: XrayImage, noise: NoiseEstimate, electronic_noise: float) -> QuantaFit:
        """Fit the quanta to an image's noise.

        Parameters
        ----------
        image : XrayImage
            The image.
        noise : NoiseEstimate
            Its noise (:func:`image_noise`); the measurement of a MONOCHROME1 image does
            not use it (it estimates its MONOCHROME2 twin's,
            :meth:`core.noise.LowDoseSettings.measured_from`).
        electronic_noise : float
            The electronic noise assumed, in quanta rms.

        Returns
        -------
        QuantaFit
        """
        try:
            measured = LowDoseSettings.measured_from(
                image, 1.0, electronic_noise=electronic_noise, noise=noise
            )
        except ValueError as error:
            return cls(None, refused=str(error))
        return cls(measured, depends=electronic_noise_problem(image, measured, noise=noise))


class QuantaFits:
    """Quanta fitted to images' noise, kept across the dose dialog's openings.

    A fit takes 0.4-0.7 s on a 3000 x 3000 image, and the dialog made one as it
    opened and for each electronic noise entered. A fit is kept for the image and the
    noise estimate objects it was made from (the window measures an image's noise
    once, :func:`image_noise`) and the electronic noise, to the bit; any other
    image, estimate or noise is fitted anew. The image and the estimate are held
    weakly: a fit goes with them, and an object made where a freed one was is never
    taken for it. The last `kept` fits used are kept.

    Parameters
    ----------
    kept : int
        How many fits are kept.
    """

    def __init__(self, kept: int = FITS_KEPT) -> None:
        self._kept = kept
        self._fits: OrderedDict[
            tuple[int, int, str], tuple[weakref.ref, weakref.ref, QuantaFit]
        ] = OrderedDict()

    def fit(self, image: XrayImage, noise: NoiseEstimate, electronic_noise: float) -> QuantaFit:
        """Return the quanta fitted to an image's noise (:meth:`QuantaFit.of`), kept or new.

        Parameters
        ----------
        image : XrayImage
            The image.
        noise : NoiseEstimate
            Its noise.
        electronic_noise : float
            The electronic noise assumed, in quanta rms.

        Returns
        -------
        QuantaFit
        """
        key = (id(image), id(noise), float(electronic_noise).hex())  # hex: -0.0 is not 0.0
        kept = self._fits.pop(key, None)
        if kept is None or kept[0]() is not image or kept[1]() is not noise:
            fit = QuantaFit.of(image, noise, electronic_noise)
            kept = (weakref.ref(image), weakref.ref(noise), fit)
        self._fits[key] = kept  # the last used last
        while len(self._fits) > self._kept:
            self._fits.popitem(last=False)
        return kept[2]


class SimulateDoseDialog(QDialog):
    """Ask for a dose fraction, the detector's quanta and electronic noise, and a seed.

    The quanta per pixel are measured from the image's own noise where a log
    detector's describes it (:meth:`core.noise.LowDoseSettings.measured_from`), so a
    dose of 25 % means a quarter of the quanta the image was taken with; otherwise,
    or on request, they are entered with the attenuation span of the range of
    values, exactly as a simulation's description records them, and the image may
    be said to have no noise of its own (``input_is_noisy=False``). Entered quanta
    that predict far more or far less noise than the image holds are warned of
    (:func:`core.noise.noise_free.noise_free_problem`), and the dialog grows to
    show the warning whole.

    Every number follows the dialog's locale, as :class:`ExactSpinBox` reads and
    shows it (``"4,5"`` and ``"20.000"`` are 4.5 and 20000 in German), the
    measured quanta included; OK waits while a field holds text that is no
    number in range, and a line under the fields (OK's tooltip too) says which
    field and what it takes: "Dose: enter a number from 0.0000000001 to 100 %".

    The dose takes what a simulation takes, from :data:`core.noise.dose.MIN_DOSE`
    (0.0000000001 %) to 100 %, every digit typed, as the command line's ``--dose``
    reads it (0.7 % is ``--dose 0.007``, :class:`DoseSpinBox`); OK waits, too, while
    the dose leaves less than one quantum behind no attenuation at the quanta in use
    (measured or entered), which a simulation refuses, and the line says the least
    dose they allow: "Dose: at 50,000 quanta per unattenuated pixel, at least 0.002 %".
    The quanta fitted for each electronic noise are kept across openings on the same
    image and its noise estimate (:attr:`fits`).

    Parameters
    ----------
    image : XrayImage
        The image to simulate from.
    parent : QWidget, optional
        The main window.
    last : LowDoseSettings, optional
        The last simulation of the image, which the dialog then shows (its dose, seed,
        electronic noise and quanta, measured or as entered); else 25 % and seed 0.
    noise : NoiseEstimate or str, optional
        The image's noise, or why it cannot be estimated, as :func:`image_noise` returns
        them: the window measures an image once, however often the dialog opens. By
        default the dialog measures it (a second or so for a 3000 x 3000 image).
    """

    fits = QuantaFits()
    """The quanta fitted so far, shared by every opening."""

    def __init__(
        self,
        image: XrayImage,
        parent: QWidget | None = None,
        *,
        last: LowDoseSettings | None = None,
        noise: NoiseEstimate | str | None = None,
    ) -> None:
        super().__init__(parent)
        self.image = image
        self.setWindowTitle("Simulate Low Dose")
        self.dose = DoseSpinBox()
        self.dose.setToolTip("Fraction of the dose of the open image")
        self.measure = QCheckBox("Measure the quanta from the image's noise")
        self.measure.setToolTip(
            "Fits a log detector's noise to the image's noise-level function: the quanta "
            "per pixel at every intensity and the attenuation its range spans"
        )
        self.measured_label = QLabel()
        self.measured_label.setWordWrap(True)
        self.measured_label.setToolTip(
            "In brackets: the quanta within one standard error of the fit"
        )
        self.photons = ExactSpinBox(
            minimum=1.0, maximum=MAX_PHOTONS_PER_PIXEL, value=DEFAULT_PHOTONS_PER_PIXEL
        )
        self.photons.setToolTip(
            "Detected quanta per pixel behind no attenuation, at full dose (every decimal "
            "a simulation's description records is kept)"
        )
        self.attenuation = ExactSpinBox(
            minimum=0.01, maximum=MAX_ATTENUATION, value=DEFAULT_MAX_ATTENUATION
        )
        self.attenuation.setToolTip(
            "Line integral (attenuation) at the attenuating end of the image's range of "
            "values; the unattenuated end is 0"
        )
        self.electronic = ExactSpinBox(
            minimum=0.0, maximum=MAX_ELECTRONIC_NOISE, value=DEFAULT_ELECTRONIC_NOISE
        )
        self.electronic.setToolTip(
            "Detector read-out noise, in quanta rms (the image's noise pins it down poorly, "
            "so it is entered)"
        )
        self.noise_free = QCheckBox(
            "The image has no noise of its own (a phantom or a simulation's clean input)"
        )
        self.noise_free.setToolTip(
            "Draws all the noise of the lower dose instead of thinning the image's quanta: "
            "thinning quanta a noise-free image does not hold gives a 25 % dose the noise "
            "of a 33 % one"
        )
        self.noise_free_warning = QLabel()
        self.noise_free_warning.setWordWrap(True)
        self.range_warning = QLabel()
        self.range_warning.setWordWrap(True)
        self._warning_colour = WarningColour(self, (self.noise_free_warning, self.range_warning))
        few = value_range(image).few_pixels_problem()  # as `xray-denoise simulate` warns
        self.range_warning.setText("" if few is None else f"Check the range: {few}.")
        self.range_warning.setVisible(few is not None)
        self.seed = SeedBox()
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
        form.addRow("Attenuation span (line integral)", self.attenuation)
        form.addRow(self.range_warning)
        form.addRow("Electronic noise (quanta)", self.electronic)
        form.addRow(self.noise_free)
        form.addRow(self.noise_free_warning)
        form.addRow("Seed", self.seed)
        # Which field holds text that is not taken, and what it takes.
        self.not_taken = QLabel()
        self.not_taken.setWordWrap(True)
        self.not_taken.hide()
        form.addRow(self.not_taken)
        self._names = {field: form.labelForField(field).text() for field in self._numbers()}
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        for field in self._numbers():
            field.lineEdit().textChanged.connect(self._enable_ok)
            field.valueChanged.connect(self._enable_ok)  # Qt's own text writes: signals off
        self._measured: LowDoseSettings | None = None
        # The percent shown for the last simulation's dose, and that dose: while the field
        # shows it, the dose is taken as it was, to the last bit.
        self._last_dose: tuple[Decimal, float] | None = None
        measured = image_noise(image) if noise is None else noise
        # Made once: a refit for new electronic noise.
        self._noise = measured if isinstance(measured, NoiseEstimate) else None
        self._noise_error = measured if isinstance(measured, str) else None
        if last is not None:
            self._show_last(last)
        self._remeasure()
        self.measure.setChecked(self._measured is not None and (last is None or last.measured))
        self.measure.toggled.connect(self._show_choice)
        self.electronic.valueChanged.connect(self._remeasure)
        for field in (self.photons, self.attenuation):
            field.valueChanged.connect(self._warn_if_noise_free)
        self.noise_free.toggled.connect(self._warn_if_noise_free)
        self._show_choice()

    def _show_last(self, last: LowDoseSettings) -> None:
        """Fill the fields with the last simulation (measured quanta are measured anew)."""
        percent = Decimal(dose_percent(last.dose, exact=True))  # 7, not 7.000000000000001
        self.dose.set_percent(percent)
        self._last_dose = (percent, last.dose)
        self.seed.setValue(int(last.seed))
        self.electronic.setValue(last.electronic_noise)
        if not last.measured:
            self.photons.setValue(last.photons_per_pixel)
            self.attenuation.setValue(last.max_attenuation)
            self.noise_free.setChecked(not last.input_is_noisy)

    def _numbers(self) -> tuple[ExactSpinBox, ...]:
        return (self.dose, self.photons, self.attenuation, self.electronic)

    def _enable_ok(self) -> None:
        """Let OK take the fields only while each one that is open holds a number in range.

        Otherwise a line under the fields, and OK's tooltip, name each field that does
        not and what it takes; the dose's also where the quanta in use allow no such
        dose (:meth:`_too_few_quanta`).
        """
        few = self._too_few_quanta()
        lines = []
        for field in self._numbers():
            if not field.isEnabled():
                continue
            if not field.hasAcceptableInput():
                lines.append(f"{self._names[field]}: enter {field.range_text()}")
            elif field is self.dose and few is not None:
                lines.append(f"{self._names[field]}: {few}")
        problems = "\n".join(lines)
        self.ok_button.setEnabled(not problems)
        self.ok_button.setToolTip(problems)
        if problems != self.not_taken.text():
            self.not_taken.setText(problems)
            self.not_taken.setVisible(bool(problems))
            self._fit_height()

    def _quanta(self) -> float | None:
        """Return the quanta a simulation would take: measured, or as typed (None: no number)."""
        if self.measure.isChecked() and self._measured is not None:
            return self._measured.photons_per_pixel
        if not self.photons.hasAcceptableInput():
            return None
        return self.photons.valueFromText(self.photons.lineEdit().text())  # typed, maybe not taken

    def _too_few_quanta(self) -> str | None:
        """Say the least dose the quanta in use allow where the dose is less; set the floor.

        A simulation refuses a dose that leaves under one quantum behind no attenuation
        (:func:`core.noise.dose.simulate_low_dose`); the dose field's Down arrow stops at
        that least dose (:attr:`DoseSpinBox.floor`).

        Returns
        -------
        str or None
            ``"at 50,000 quanta per unattenuated pixel, at least 0.002 %"``; None where the
            dose is taken, or the quanta are no number. Read only while the dose field's
            text is a number in range.
        """
        quanta = self._quanta()
        if quanta is None:
            self.dose.set_floor(MIN_PERCENT)
            return None
        self.dose.set_floor(min(max(smallest_dose_percent(quanta), MIN_PERCENT), Decimal(100)))
        if leaves_a_quantum(dose_fraction(self.dose.percent()), quanta):
            return None
        least = plain_decimal(self.dose.floor, self.locale().decimalPoint())
        quanta_text = rounded_text(quanta, self.locale())
        return f"at {quanta_text} quanta per unattenuated pixel, at least {least} %"

    def _remeasure(self) -> None:
        """Measure the quanta for the electronic noise shown (the fit depends on it).

        A fit made before for the image, its noise estimate and this electronic noise,
        in this dialog or an earlier one, is taken from :attr:`fits`.
        """
        if self._noise is None:
            fit = QuantaFit(None, refused=self._noise_error)
        else:
            fit = self.fits.fit(self.image, self._noise, self.electronic.value())
        self._measured, depends = fit.measured, fit.depends
        if self._measured is None:
            self.measured_label.setText(f"Cannot measure the quanta: {fit.refused}.")
        else:
            locale = grouping(self.locale())
            span = locale.toString(self._measured.max_attenuation, "f", 2)
            self.measured_label.setText(
                f"Measured: {describe_quanta(self._measured, locale)} per unattenuated pixel "
                f"at full dose, attenuation 0-{span} over the range of values."
                + ("" if depends is None else f" Check the electronic noise: {depends}.")
            )
        self.measure.setEnabled(self._measured is not None)
        if self._measured is None:
            self.measure.setChecked(False)
        self._show_choice()

    def _show_choice(self) -> None:
        """Show the measured detector in the (then fixed) fields, or let it be entered."""
        measured = self.measure.isChecked() and self._measured is not None
        for field in (self.photons, self.attenuation):
            field.setEnabled(not measured)
            field.set_shown_rounded(measured)  # the value kept exact: settings() uses it
        self.noise_free.setEnabled(not measured)
        if measured:
            self.noise_free.setChecked(False)  # measured quanta are the image's own noise
            self.photons.setValue(self._measured.photons_per_pixel)
            self.attenuation.setValue(self._measured.max_attenuation)
        self._warn_if_noise_free()
        self._enable_ok()

    def _warn_if_noise_free(self) -> None:
        """Say where the entered quanta and span contradict the noise the image holds."""
        problem = None
        if self._noise is not None and not (
            self.measure.isChecked() and self._measured is not None
        ):
            try:
                problem = noise_free_problem(self.image, self.settings(), noise=self._noise)
            except ValueError:  # no detector for the image (a constant one, say)
                problem = None
        self.noise_free_warning.setVisible(problem is not None)
        if problem is not None:
            tick = " Tick the box above if it has no noise of its own."
            self.noise_free_warning.setText(
                f"Check the quanta: {problem.text}." + (tick if problem.looks_noise_free else "")
            )
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow to show every line of the wrapped labels at the dialog's width.

        A window does not grow by itself when a word-wrapped label gets more lines:
        the layout would squeeze it, cutting off the warning's end and the first line.
        Before it is shown, Qt sizes it whole anyway.
        """
        if not self.isVisible():
            return
        self.layout().activate()
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def settings(self) -> LowDoseSettings:
        """Return the settings the dialog shows (text typed and not yet taken included)."""
        for field in self._numbers():
            if field.isEnabled() and field.hasAcceptableInput():
                field.interpretText()  # no keyboard tracking: typed text waits for Enter
        percent, seed = self.dose.percent(), self.seed.value()
        dose = dose_fraction(percent)  # the digits shown: 0.7 % is 0.007, as --dose reads it
        if self._last_dose is not None and self._last_dose[0] == percent:
            dose = self._last_dose[1]  # as simulated last, to the last bit
        if self.measure.isChecked() and self._measured is not None:
            return replace(self._measured, dose=dose, seed=seed)
        return LowDoseSettings(
            dose=dose,
            photons_per_pixel=self.photons.value(),
            electronic_noise=self.electronic.value(),
            seed=seed,
            max_attenuation=self.attenuation.value(),
            input_is_noisy=not self.noise_free.isChecked(),
        )


def image_noise(image: XrayImage) -> NoiseEstimate | str:
    """Estimate an image's noise for :class:`SimulateDoseDialog`, or say why it cannot.

    Parameters
    ----------
    image : XrayImage
        The image to simulate from.

    Returns
    -------
    NoiseEstimate or str
        The estimate (:meth:`core.noise.NoiseEstimate.of_image`), or the reason it cannot
        be made, which the dialog shows.
    """
    try:
        return NoiseEstimate.of_image(image)
    except ValueError as error:
        return str(error)


def describe_quanta(settings: LowDoseSettings, locale: QLocale) -> str:
    """Say the measured quanta with their range within one standard error.

    Parameters
    ----------
    settings : LowDoseSettings
        Measured settings (:meth:`core.noise.LowDoseSettings.measured_from`).
    locale : QLocale
        Writes the numbers (:func:`grouping` of the dialog's locale).

    Returns
    -------
    str
        For example ``"19,899 quanta (19,172-20,654)"`` (``"19.899 quanta
        (19.172-20.654)"`` in German), or ``"19,899 quanta"`` where the fit gave
        no range.
    """
    quanta = f"{locale.toString(settings.photons_per_pixel, 'f', 0)} quanta"
    if settings.photons_range is None:
        return quanta
    low, high = (locale.toString(limit, "f", 0) for limit in settings.photons_range)
    return f"{quanta} ({low}-{high})"


class ReportOptionsDialog(QDialog):
    """Ask whether patient identifiers go into the report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Report")
        self.identifiers = QCheckBox(
            "Include patient identifiers (name, ID, birth date, file names and paths, UIDs)"
        )
        self.identifiers.setToolTip(
            "Unticked, the report names the source and reference by their SHA-256 only,"
            " and its files are named image_<hash>_report"
        )
        form = QFormLayout(self)
        form.addRow(QLabel("Writes a PDF, a JSON and a CSV file. Not for diagnostic use."))
        form.addRow(self.identifiers)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


WINDOW_LIMIT = 1e12
"""The largest window width or centre magnitude the Set Window/Level dialog takes."""


class WindowLevelDialog(QDialog):
    """Ask for a window's width and centre, in the image's pixel values.

    Parameters
    ----------
    window : Window
        The window shown: the fields start from it, and its function is kept.
    narrowest : float
        The smallest width taken (1 for a LINEAR window, which shows none narrower).
    parent : QWidget, optional
        The parent widget.
    """

    def __init__(self, window: Window, *, narrowest: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set Window/Level")
        self._function = window.function
        self.width_field = ExactSpinBox(
            minimum=narrowest, maximum=WINDOW_LIMIT, value=max(window.width, narrowest)
        )
        self.width_field.setAccessibleName("Window width")
        self.center_field = ExactSpinBox(
            minimum=-WINDOW_LIMIT, maximum=WINDOW_LIMIT, value=window.center
        )
        self.center_field.setAccessibleName("Window centre (level)")
        form = QFormLayout(self)
        form.addRow(QLabel("In the image's pixel values, as the status bar shows them."))
        form.addRow("&Width (W):", self.width_field)
        form.addRow("&Centre (C):", self.center_field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        """Close with the window typed; a field with no number in range keeps it open."""
        for field in (self.width_field, self.center_field):
            if not field.hasAcceptableInput():
                field.setFocus()
                return
        super().accept()

    def window(self) -> Window:
        """Return the window typed, with the function of the window it started from."""
        return Window(
            center=self.center_field.typed_value(),
            width=self.width_field.typed_value(),
            function=self._function,
        )
