"""The denoising control panel: model, sampler, steps, strength, seed, tile, views, device, samples.

It takes every setting ``xray-denoise denoise`` records, so that a result of the command
line can be repeated in the app: any strength the command line takes, written in full,
and its ``--tile-size``.
"""

from __future__ import annotations

import math
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import torch
from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.denoise import VIEW_COUNTS, DenoiseSettings
from core.denoise.tiling import CPU_MAX_TILE, FLOAT32_TILE, GPU_MAX_TILE, MIN_TILE
from core.device import DEVICE_CHOICES, check_device_preference
from core.diffusion.unet import UNetConfig
from xraygui.compact import ShrinkingComboBox
from xraygui.exact_spinbox import (
    LocaleSpinBox,
    WarningColour,
    exact_text,
    read_number,
    whole_number_text,
)
from xraygui.models import (
    ModelEntry,
    remembered_entry,
    stored_model,
    stored_path,
    user_model_dir,
)
from xraygui.seed_box import SeedBox


@dataclass(frozen=True)
class DenoiseOptions:
    """What the panel asks core to do (turned into ``core.denoise.DenoiseSettings``).

    Parameters
    ----------
    model : Path or None
        Weights file; None when no model is installed.
    sampler : str
        ``"ddim"`` or ``"ddpm"``.
    n_steps : int
        Reverse-diffusion steps.
    strength : float
        Multiplies the noise level estimated from the image (1: as estimated).
    seed : int
        Seed of the sampler's noise.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    views : int or None
        Flipped/rotated views the prediction is averaged over (1, 2, 4 or 8); None
        (the default) lets core choose from the network's precision
        (:func:`core.denoise.auto_views`).
    n_uncertainty_samples : int
        Extra seeded samples for the uncertainty map (0: none).
    precision : str
        ``"auto"`` (half precision where it is fast) or ``"float32"`` (results that agree
        across machines); ``core.denoise.DenoiseSettings.precision``.
    tile_size : int or None
        Side of the square tiles the network is run on; None (the default) is auto
        (``core.denoise.DenoiseSettings.tile_size``).
    """

    model: Path | None
    sampler: str = "ddim"
    n_steps: int = 1
    strength: float = 1.0
    seed: int = 0
    device: str = "auto"
    views: int | None = None
    n_uncertainty_samples: int = 0
    precision: str = "auto"
    tile_size: int | None = None


VIEW_LABELS = {
    1: "1 (the image)",
    2: "2 (and its mirror image)",
    4: "4 (every mirror image)",
    8: "8 (mirror images and quarter turns)",
}
"""The Views choices as shown, after Auto."""

AUTO_VIEWS = "auto"
"""How the Auto views choice is remembered (:meth:`ControlPanel.save`)."""

VIEWS_KEY = "views_choice"
"""Where the views choice is remembered. Versions before Auto saved the count they showed
under ``views`` on every exit, their default included (1, then 4, then 2), so that key cannot
tell a chosen count from an old default: of it only 8, never a default, is restored, and the
key is removed; every other user starts at Auto once."""

OLD_VIEWS_KEPT = 8
"""The one count saved under the old ``views`` key that can only have been chosen."""

COMBO_LETTERS = 10
"""The panel's list boxes show at least this many letters; a narrow window cuts longer text."""

ALL_DECIMALS = sys.float_info.max_10_exp + sys.float_info.dig
"""Decimals of the strength field: Qt's most (323), so that it rounds no float it holds."""

SHOWN_STRENGTH_DECIMALS = 2
"""Decimals the strength shows at least (``x 1.00``); more where its value has them."""

STEP_DIGITS = sys.float_info.dig
"""Significant digits of a stepped strength: 1.1 + 0.1 is 1.2, not 1.2000000000000002."""

AUTO_TILE = 0
"""The tile field's value for Auto (shown as such): the tile comes from the free memory."""

SMALLEST_TILE = max(MIN_TILE, 4 * DenoiseSettings().tile_overlap)
"""The smallest tile core takes: 4 times the overlap of the tiles (256 px)."""

LARGEST_TILE = 65536
"""The largest tile the field takes: a tile at least an image's side is the whole image."""

TILE_STEP = UNetConfig().size_multiple
"""The tile field's step: the shipped network's size multiple (16), which a tile must be a
multiple of (another model's is checked by core when Denoise starts)."""


def _decimals(text: str) -> int:
    """Count the decimals of a number's text (``"1.5"``: 1), exponent aside."""
    mantissa = text.lower().partition("e")[0]
    return len(mantissa.partition(".")[2])


class StrengthBox(LocaleSpinBox):
    """The strength: any number above 0, as core and ``--strength`` take it, kept exactly.

    A strength is shown with at least :data:`SHOWN_STRENGTH_DECIMALS` decimals and as
    many more as it has (``x 1.00``, ``x 1.234``, ``x 0.05``), the shortest text that
    reads back as it (:func:`xraygui.exact_spinbox.exact_text`), so a strength that a
    report or an output's description records (``strength 1.2345678``) is entered
    exactly. Above 0 means the smallest normal float, 2.2e-308, and up to the largest
    float; whether an image allows it (:meth:`core.denoise.DenoiseSettings.check_strength`)
    is said when Denoise runs.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, prefix="x ", singleStep=0.1)
        self.setDecimals(ALL_DECIMALS)
        self.setRange(sys.float_info.min, sys.float_info.max)
        self.setValue(1.0)

    def range_text(self) -> str:
        """Say what the field takes: ``"a number above 0"``."""
        return "a number above 0"

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        """Write ``value`` in full, with at least :data:`SHOWN_STRENGTH_DECIMALS` decimals."""
        point = self.locale().decimalPoint()
        text = exact_text(value, point)
        if "e" in text:
            return text
        if point not in text:
            text += point
        return text + "0" * (SHOWN_STRENGTH_DECIMALS - _decimals(text.replace(point, ".")))

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        """Step from the number shown, to :data:`STEP_DIGITS` significant digits, never to 0.

        A step that would end at or below half the step ends at the step (0.1) instead;
        at or below the step it is not taken down. Red text steps from the number it
        reads as (``x 0`` up is ``x 0.10``), text that is none is kept.
        """
        start = self._shown_number()
        if start is None:
            return
        step = self.singleStep()
        target = float(f"{start + steps * step:.{STEP_DIGITS}g}")
        if target <= step / 2:
            if steps < 0 and start <= step:
                return  # the smallest step, or red text at or below it: kept
            target = step
        self.setValue(min(target, self.maximum()))
        self.selectAll()  # as Qt's arrows leave it

    def _shown_number(self) -> float | None:
        """Return the number the text shows, taken or not (red); None where it is none."""
        return read_number(self._number_text(self.lineEdit().text()), *self._separators())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As wide as a strength of 2 decimals needs (``x 0.00``): see :meth:`_narrowed`."""
        return self._narrowed(super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As narrow as a strength of 2 decimals allows: see :meth:`_narrowed`."""
        return self._narrowed(super().minimumSizeHint())

    def _narrowed(self, hint: QSize) -> QSize:
        """Return `hint` as wide as ``x 0.00`` needs rather than the ends of the range.

        Qt measures the ends, written in full (``2.2250738585072014e-308``, 18 characters
        of it), which widened the panel by about 90 px.
        """
        metrics = self.fontMetrics()
        fixed = f"{self.prefix()}{self.suffix()} "
        ends = max(
            metrics.horizontalAdvance(self.textFromValue(end)[:18] + fixed)
            for end in (self.minimum(), self.maximum())
        )
        narrow = metrics.horizontalAdvance(self.textFromValue(0.0) + fixed)
        hint.setWidth(hint.width() - max(ends - narrow, 0))
        return hint

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802 (Qt override)
        """Step down only from a number shown above the step (:meth:`stepBy`)."""
        enabled = super().stepEnabled()
        shown = self._shown_number()
        if shown is None or shown <= self.singleStep():
            enabled &= ~QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return enabled


class TileSizeBox(LocaleSpinBox):
    """The tile side: Auto (core's choice), or a whole number of pixels core takes.

    It takes :data:`SMALLEST_TILE` (4 times the overlap) to :data:`LARGEST_TILE` px, as
    ``--tile-size`` does; that the network takes it as it is (a multiple of its size
    multiple, 16 for the shipped model) is checked by core when Denoise starts, as the
    command line checks it once the model is loaded, naming the nearest that are
    (:func:`core.denoise.tiling.check_tile_size`). The arrows step by :data:`TILE_STEP`,
    from Auto to the smallest tile and back.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, decimals=0, singleStep=TILE_STEP, suffix=" px")
        self.setRange(AUTO_TILE, LARGEST_TILE)
        self.setSpecialValueText("Auto")
        self.setValue(AUTO_TILE)

    def tile_size(self) -> int | None:
        """Return the tile side typed or taken; None for Auto."""
        value = round(self.typed_value())
        return None if value == AUTO_TILE else value

    def set_tile_size(self, tile: int | None) -> None:
        """Show `tile`; None for Auto."""
        self.setValue(AUTO_TILE if tile is None else tile)

    def range_text(self) -> str:
        """Say what the field takes, grouped as its locale groups (65,536; 65.536 in German)."""
        low, high = (
            whole_number_text(tile, self.locale()) for tile in (SMALLEST_TILE, LARGEST_TILE)
        )
        return f"Auto, or a whole number from {low} to {high} px"

    def _tile(self, text: str) -> float | None:
        """Read a tile side, Auto as :data:`AUTO_TILE`; None where `text` is none."""
        number_text = self._number_text(text.strip()).strip()
        if number_text.casefold() == self.specialValueText().casefold():  # "auto", "Auto px"
            return AUTO_TILE
        number = read_number(number_text, *self._separators())
        if number is None or not number.is_integer():  # 300.5, 1e999
            return None
        return number if number == AUTO_TILE or SMALLEST_TILE <= number <= LARGEST_TILE else None

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        """Read Auto, or a whole number (the current value where the text is neither)."""
        tile = self._tile(text)
        return self.value() if tile is None else tile

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept Auto or a tile side core takes; keep other number text, red; refuse the rest."""
        if self._tile(text) is not None:
            return QValidator.State.Acceptable, text, pos
        state, text, pos = super().validate(text, pos)
        if state == QValidator.State.Acceptable:
            state = QValidator.State.Intermediate  # a number in range, but no tile (100, 300.5)
        elif state == QValidator.State.Invalid and self.specialValueText().casefold().startswith(
            self._number_text(text).strip().casefold()
        ):
            state = QValidator.State.Intermediate  # "Au" (or "AU") on its way to "Auto"
        return state, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        """Step to the multiples of :data:`TILE_STEP`; below the smallest tile is Auto.

        Up goes to the next multiple above the number shown (500: 512), down to the one
        below it (496); above Auto is the smallest tile. Red text steps from the number
        it reads as; text that is none is kept.
        """
        text = self._number_text(self.lineEdit().text().strip()).strip()
        start = self._tile(text)
        if start is None:
            start = read_number(text, *self._separators())
        if start is None:
            return
        start = min(max(start, AUTO_TILE), LARGEST_TILE)  # red text out of range
        multiples = math.floor(start / TILE_STEP) if steps > 0 else math.ceil(start / TILE_STEP)
        target = min(max((multiples + steps) * TILE_STEP, AUTO_TILE), LARGEST_TILE)
        if AUTO_TILE < target < SMALLEST_TILE:
            target = SMALLEST_TILE if steps > 0 else AUTO_TILE
        self.setValue(target)
        self.selectAll()  # as Qt's arrows leave it


def _device_choices(count: int) -> tuple[str, ...]:
    """Return :data:`core.device.DEVICE_CHOICES`, and ``"cuda:N"`` for each of `count` GPUs.

    ``--device`` takes ``cuda:N``, and an output records the GPU it ran on; one GPU is
    ``cuda``, not listed by index.
    """
    return DEVICE_CHOICES + tuple(f"cuda:{i}" for i in range(count if count > 1 else 0))


def _label(text: str, field: QWidget) -> QLabel:
    """Return a form's label for `field`, its buddy: a screen reader names the field by it."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


class ControlPanel(QWidget):
    """Denoising settings, the Denoise and Cancel buttons and a progress bar."""

    denoiseRequested = Signal()
    cancelRequested = Signal()
    loadModelRequested = Signal()
    progressShown = Signal(int, int, str)
    """:meth:`show_progress`'s done, total and caption: for a copy of the bar elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self._running = False  # a job runs (set_running): a model loaded meanwhile keeps it so
        self.model = ShrinkingComboBox(COMBO_LETTERS)  # a long name ends in an ellipsis
        self.model.setSizeAdjustPolicy(  # a long model name does not widen the panel
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model.setAccessibleName("Model")  # a list box's name is else its current entry
        load = QToolButton(text="...")
        load.setAccessibleName("Load model file")
        load.setToolTip("Load a model file (.safetensors with its .json card)")
        load.clicked.connect(self.loadModelRequested)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(load)
        self.sampler = ShrinkingComboBox(COMBO_LETTERS)
        self.sampler.addItem("DDIM (deterministic)", "ddim")
        self.sampler.addItem("DDPM (stochastic)", "ddpm")
        self.sampler.setAccessibleName("Sampler")
        self.sampler.setToolTip(
            "DDIM: deterministic, the same result every time.\n"
            "DDPM: adds noise drawn from the seed at each step (a stochastic sample);\n"
            "it differs from DDIM only from 2 steps: 1 step adds no noise"
        )
        self.steps = QSpinBox(minimum=1, maximum=1000, value=1)
        self.steps.setToolTip(
            "Reverse-diffusion steps: 1 gives the posterior mean (fastest, smoothest);\n"
            "more steps give sharper texture and a longer timeline"
        )
        self.strength = StrengthBox()
        self.strength.setAccessibleName("Strength")
        self.strength.setToolTip(
            "Multiplies the noise level estimated from the image.\n"
            "1 = automatic; above 1 smooths more, below 1 less.\n"
            "Any number above 0, kept to every decimal typed (as --strength takes it)"
        )
        auto = QToolButton(text="Auto")
        auto.setToolTip("Back to the estimated noise level (x 1)")
        auto.clicked.connect(lambda: self.strength.setValue(1.0))
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength, 1)
        strength_row.addWidget(auto)
        self.seed = SeedBox()
        self.seed.setAccessibleName("Seed")
        self.seed.setToolTip(
            "Seed of the noise DDPM adds, of the uncertainty samples and of the forward\n"
            "process and the demo: the same seed gives the same pictures"
        )
        self.tile = TileSizeBox()
        self.tile.setAccessibleName("Tile size")
        self.tile.setToolTip(
            "Side of the square tiles the network is run on (--tile-size), overlapping\n"
            "by 64 px: tiles bound the memory a denoise takes.\n"
            f"Auto (the default): from the free memory, at most {CPU_MAX_TILE} on the CPU and\n"
            f"{GPU_MAX_TILE} on a GPU; {FLOAT32_TILE} with Precision float32.\n"
            f"Else {SMALLEST_TILE} px or more, a multiple of the network's size multiple\n"
            f"({TILE_STEP} for the shipped model; another is refused when Denoise starts).\n"
            "The network sees only its tile, so results of different tiles differ\n"
            "slightly, within about 320 px of the tiles' borders.\n"
            "Each result and report names the tile used"
        )
        self._gpus = torch.cuda.device_count()  # once: no CUDA context is made
        self.device = ShrinkingComboBox(COMBO_LETTERS)
        self.device.addItems(_device_choices(self._gpus))
        self.device.setAccessibleName("Device")
        self.device.setToolTip(
            "Where the network runs. auto: a CUDA GPU, else Apple MPS, else the CPU;\n"
            "cuda:N (where there are several GPUs): the GPU of that index"
        )
        self.views = ShrinkingComboBox(COMBO_LETTERS)
        self.views.addItem("Auto", None)  # the first item, and the default
        for count in VIEW_COUNTS:
            self.views.addItem(VIEW_LABELS[count], count)
        self.views.setAccessibleName("Views")
        self.views.setToolTip(
            "Average the prediction over flipped and rotated views of the image:\n"
            "2 gain about 0.1 dB over 1, and 4 about 0.17;\n"
            "each view costs one more network evaluation.\n"
            "Auto (the default): 4 where the network runs in half precision\n"
            "(float16 on a CUDA GPU, bfloat16 on a CPU with AMX), where they\n"
            "take no longer than 2 in float32; 2 elsewhere (float32)"
        )
        self.precision = ShrinkingComboBox(COMBO_LETTERS)
        self.precision.addItem("Auto", "auto")
        self.precision.addItem("float32", "float32")
        self.precision.setAccessibleName("Precision")
        self.precision.setToolTip(
            "What the network computes in. Auto (the default): float16 on a CUDA GPU,\n"
            "bfloat16 on a CPU with AMX (over twice as fast there, within 0.01 dB),\n"
            "float32 elsewhere. float32: no half-precision rounding (which moves pixels\n"
            f"by a few stored values), and tiles of {FLOAT32_TILE} px on every device\n"
            f"(Auto: up to {GPU_MAX_TILE} on a GPU, from its free memory), for comparing\n"
            "machines; Auto views then mean 2.\n"
            "Each result and report names the precision and the tile used."
        )
        self.samples = QSpinBox(minimum=0, maximum=32, value=0)
        self.samples.setToolTip(
            "Seeded DDPM samples whose per-pixel spread is the uncertainty map (0: none;\n"
            "a spread needs 2 or more). Each costs about 10 extra steps."
        )
        self.samples.setKeyboardTracking(False)  # typing "16" is not first a "1"
        self._samples_before = 0
        self.samples.valueChanged.connect(self._skip_one_sample)

        form = QFormLayout()
        form.addRow(_label("Model", self.model), model_row)
        form.addRow("Sampler", self.sampler)
        form.addRow("Steps", self.steps)
        form.addRow(_label("Strength", self.strength), strength_row)
        form.addRow("Seed", self.seed)
        form.addRow(_label("Tile size", self.tile), self.tile)
        form.addRow("Views", self.views)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.precision)
        form.addRow("Uncertainty samples", self.samples)

        self.denoise_button = QPushButton("Denoise")
        self.denoise_button.setDefault(True)
        self.denoise_button.clicked.connect(self.denoiseRequested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job at its next step (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancelRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.denoise_button, 1)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setAccessibleName("Job progress")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.warning = QLabel()  # of the result shown: what to beware of in it
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self._warning_colour = WarningColour(self, (self.warning,), "font-weight: bold")
        self.warning.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.warning)
        layout.addStretch(1)

    def set_models(self, entries: list[ModelEntry], current: Path | None = None) -> None:
        """Fill the model picker; with no model, disable Denoise and say why.

        A job running meanwhile (:meth:`set_running`) keeps Denoise disabled and Cancel
        enabled.

        Parameters
        ----------
        entries : list of ModelEntry
            From :func:`xraygui.models.find_models`.
        current : Path, optional
            Select this file if it is listed; else the file selected before stays so.
        """
        previous = self.model.currentData()
        self.model.clear()
        for entry in entries:
            self.model.addItem(entry.label, str(entry.path))
            self.model.setItemData(
                self.model.count() - 1, str(entry.path), Qt.ItemDataRole.ToolTipRole
            )
        for wanted in (current, previous):
            index = -1 if wanted is None else self.model.findData(str(wanted))
            if index >= 0:
                self.model.setCurrentIndex(index)
                break
        if not entries:
            self.model.addItem("No model installed")
            self.model.setEnabled(False)
        else:
            self.model.setEnabled(True)
        self.set_running(self._running)  # a job running meanwhile keeps Cancel, not Denoise

    def has_model(self) -> bool:
        """Whether a model file is selected."""
        return self.model.currentData() is not None

    def set_running(self, running: bool) -> None:
        """Switch between idle (Denoise enabled) and running (Cancel enabled).

        The state is kept: :meth:`set_models` and :meth:`restore` show it again.
        """
        self._running = running
        self.denoise_button.setEnabled(not running and self.has_model())
        self.cancel_button.setEnabled(running)
        self.denoise_button.setToolTip(
            "Denoise the image with these settings (Ctrl+D)"
            if self.has_model()
            else f"No model is installed. Put a .safetensors model and its .json card in "
            f"{user_model_dir()}, or load one with the '...' button."
        )
        if not self.has_model() and not running:
            self.status.setText("No model installed: Denoise is disabled.")
            self.show_warning("")  # the status line no longer describes a result

    def not_taken(self) -> str:
        """Say in one line which fields show text they do not take (red), and what they take.

        Returns
        -------
        str
            ``"Tile size: 300.5 px is not taken; enter Auto, or a whole number from 256
            to 65,536 px"``, say; ``""`` where every enabled field takes its text, so that
            :meth:`options` is what the panel shows.
        """
        return "; ".join(
            f"{field.accessibleName()}: {' '.join(field.text().split())} is not taken; "
            f"enter {field.range_text()}"
            for field in (self.strength, self.tile)
            if field.isEnabledTo(self) and not field.hasAcceptableInput()
        )

    def options(self) -> DenoiseOptions:
        """Return the settings the panel shows; a red field, its last value (:meth:`not_taken`)."""
        model = self.model.currentData()
        return DenoiseOptions(
            model=Path(model) if model else None,
            sampler=self.sampler.currentData(),
            n_steps=self.steps.value(),
            strength=self.strength.typed_value(),  # a shortcut leaves the focus in it
            seed=self.seed.value(),
            device=self.device.currentText(),
            views=self.views.currentData(),
            n_uncertainty_samples=self.samples.value(),
            precision=self.precision.currentData(),
            tile_size=self.tile.tile_size(),
        )

    def save(self, settings: QSettings) -> None:
        """Remember the panel's values (restored by :meth:`restore`).

        The shipped model is remembered as such (:func:`xraygui.models.stored_model`),
        never by its path, so that an upgraded or moved install uses its own.
        """
        options = self.options()
        settings.beginGroup("denoise")
        settings.setValue("model", "" if options.model is None else stored_model(options.model))
        for key in (
            "sampler",
            "n_steps",
            "device",
            "n_uncertainty_samples",
            "precision",
        ):
            settings.setValue(key, getattr(options, key))
        settings.setValue("seed", str(options.seed))  # up to 2**64 - 1: beyond a QVariant int
        settings.setValue("strength", repr(options.strength))  # every digit, in any format
        settings.setValue("tile_size", "auto" if options.tile_size is None else options.tile_size)
        settings.setValue(VIEWS_KEY, AUTO_VIEWS if options.views is None else options.views)
        settings.remove("views")  # the old key (VIEWS_KEY)
        settings.endGroup()

    def restore(self, settings: QSettings) -> None:
        """Show the values :meth:`save` remembered; an unknown or bad value keeps its default.

        Each value is read on its own: one hand-edited wrong leaves the others restored.
        A chosen model the picker does not list stays the choice, listed (and marked
        missing, which the status line says, if its files are gone). The shipped model,
        stored as such or by another install's path, is this install's
        (:func:`xraygui.models.stored_path`). A GPU this machine lacks (``cuda:1`` where
        it has one) stays the choice too, listed, and the status line says so.
        """
        bad = suppress(TypeError, ValueError, OverflowError)  # a hand-edited settings file
        settings.beginGroup("denoise")
        remembered, device_missing = None, ""
        try:
            with bad:
                remembered = self._restore_model(str(settings.value("model", "") or ""))
            with bad:
                index = self.sampler.findData(settings.value("sampler", "ddim"))
                self.sampler.setCurrentIndex(max(index, 0))
            with bad:
                device_missing = self._restore_device(str(settings.value("device", "auto")))
            with bad:
                self.steps.setValue(int(settings.value("n_steps", self.steps.value())))
            with bad:
                strength = float(settings.value("strength", self.strength.value()))
                if self.strength.minimum() <= strength <= self.strength.maximum():
                    self.strength.setValue(strength)
            with bad:
                tile = str(settings.value("tile_size", "auto"))
                size = None if tile == "auto" else int(tile)
                self.tile.set_tile_size(size)
                if self.tile.tile_size() != size or not self.tile.hasAcceptableInput():
                    self.tile.set_tile_size(None)  # no tile core takes (100, 70000)
            with bad:
                self.seed.setValue(int(settings.value("seed", self.seed.value())))
            with bad:
                self.samples.setValue(int(settings.value("n_uncertainty_samples", 0)))
            with bad:
                index = self.precision.findData(str(settings.value("precision", "auto")))
                self.precision.setCurrentIndex(max(index, 0))
            with bad:
                old = str(settings.value("views", ""))
                kept = str(OLD_VIEWS_KEPT) if old == str(OLD_VIEWS_KEPT) else AUTO_VIEWS
                views = str(settings.value(VIEWS_KEY, kept))
                index = 0 if views == AUTO_VIEWS else self.views.findData(int(views))
                if index >= 0:
                    self.views.setCurrentIndex(index)
        finally:
            settings.endGroup()
        self.set_running(self._running)
        if remembered is not None and remembered.missing:
            self.status.setText(
                f"The model chosen last is missing: {remembered.path}. Choose another, "
                "or denoise once it is back."
            )
        if device_missing:
            self.status.setText(f"{self.status.text()} {device_missing}".strip())

    def _restore_model(self, stored_text: str) -> ModelEntry | None:
        """Choose the model saved as `stored_text`; return its entry where it was not listed."""
        stored = stored_path(stored_text)
        remembered = None
        index = -1 if stored is None else self.model.findData(str(stored))
        if index < 0 and stored is not None:  # gone, or not listed: shown, never replaced
            remembered = remembered_entry(stored)
            index = self._add_remembered(remembered)
        if index >= 0:
            self.model.setCurrentIndex(index)
        return remembered

    def _restore_device(self, saved: str) -> str:
        """Choose the device saved; list a GPU this machine lacks, and return what to say of it.

        Like a missing model it stays the choice, so that a Denoise names it rather than
        running elsewhere without a word. Returns ``""`` where the device is listed.
        """
        device = check_device_preference(saved)
        if device.startswith("cuda:"):
            device = f"cuda:{int(device.removeprefix('cuda:'))}"  # as listed: cuda:01 is cuda:1
        said = ""
        if self.device.findText(device) < 0:  # cuda:N, saved where there were more GPUs
            gpu = int(device.removeprefix("cuda:"))
            self.device.addItem(device)
            if gpu >= self._gpus:
                lacking = f"Not on this machine: it has {self._gpus} CUDA GPU(s)"
                index = self.device.count() - 1
                self.device.setItemData(index, lacking, Qt.ItemDataRole.ToolTipRole)
                said = (
                    f"The device chosen last is not on this machine: {device} "
                    f"({self._gpus} CUDA GPU(s) here). Choose another device."
                )
        self.device.setCurrentText(device)
        return said

    def _add_remembered(self, entry: ModelEntry) -> int:
        """List the model chosen last that the picker lacks (one gone is marked missing).

        It stays the choice, so that :meth:`save` keeps it and a Denoise names the file
        it cannot find, rather than another model being used without a word.
        """
        self.model.setEnabled(True)  # "No model installed" alone had disabled it
        self.model.addItem(entry.label, str(entry.path))
        index = self.model.count() - 1
        self.model.setItemData(index, str(entry.path), Qt.ItemDataRole.ToolTipRole)
        return index

    def _skip_one_sample(self, count: int) -> None:
        """One sample has no spread: step over it, up to 2 or down to 0."""
        if count == 1:
            self.samples.setValue(2 if self._samples_before == 0 else 0)
            return
        self._samples_before = count

    def show_progress(self, done: int, total: int, text: str) -> None:
        """Set the progress bar to ``done / total`` with a caption."""
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(text)
        self.progressShown.emit(done, total, text)

    def show_warning(self, text: str) -> None:
        """Show a warning about the result under the status line; ``""`` hides it."""
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
