"""The timestep slider: scrub the reverse-diffusion steps, the forward process, or a demo.

:class:`Trajectory` keeps the per-step images within a memory budget (downsampled
when the image is large); :class:`TimelineWidget` is the slider, its labels and
play/pause, and says which frame or time to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.denoise import DenoiseStep
from xraygui.compact import ShrinkingComboBox

TRAJECTORY_BUDGET_BYTES = 256 * 2**20
"""At most this much memory for the stored step images of one run."""

FORWARD_T_MAX = 1000
"""The forward-process slider runs over ``t`` in ``[0, FORWARD_T_MAX]`` until a model gives
its own number of timesteps (:meth:`TimelineWidget.set_forward_span`)."""

SLIDER_MIN_WIDTH = 200
"""The slider is never narrower than this (px): a run's steps stay apart under the mouse."""

MODES = ("reverse", "forward", "demo")
MODE_LABELS = {
    "reverse": "Denoising steps",
    "forward": "Forward process q(x_t | x_0)",
    "demo": "Demo: generate from noise",
}
MODE_TIP = (
    "What the slider shows: the steps of the last Denoise, the forward process\n"
    "q(x_t | x_0) that adds the model's noise to the image, or an image the model\n"
    "generates from pure noise (Generate)"
)
SLIDER_TIPS = {
    "reverse": "The step of the last Denoise shown in the After pane (Space plays the steps)",
    "forward": "The time t of the forward process, from 0 (the image) to the model's last"
    " timestep (pure noise)",
    "demo": "The step of the image generated from noise shown in the After pane",
}
SLIDER_NAMES = {
    "reverse": "Denoising step",
    "forward": "Forward process time t",
    "demo": "Generated image step",
}
"""The slider's accessible name in each mode: what a screen reader says it sets."""
SIGMA_UNITS = "model units"
"""What the timeline's noise level is in: the schedule's, in the model's domain (-1 to 1),
not pixel values."""

DEMO_STEPS = 25
"""Steps of a generation from noise unless asked otherwise (:attr:`TimelineWidget.demo_steps`),
never the Denoise's steps. On the shipped model (128 x 128 px, DDIM, seed 0) 25 steps gave an
image of a radiograph's texture, edges and contrast (std 0.17 in the model domain); 10 a
blurred, flat one (0.10); 50 a sharper one of more contrast (0.24), in twice the time
(``benchmarks/results/2026-11-28-generate/``). One
step, the Denoise's default, gives a flat image: the mean of all the images the noise could
become (:func:`core.denoise.explain.generate_demo`)."""

DEMO_STEPS_TIP = (
    "Steps of the generation from pure noise (Generate), apart from Denoise's steps:\n"
    "a few steps give a blurred image, one the mean of all the images it could become"
)


def noisy_state(sigma: float, *, scaled: bool) -> str:
    """Say what a state of noise level `sigma` (model units) holds of ``x_0`` and of noise.

    Parameters
    ----------
    sigma : float
        The schedule's ``sigma_t = sqrt((1 - abar_t) / abar_t)`` at the state's time.
    scaled : bool
        Whether the picture is ``x_t / sqrt(abar_t)`` (a denoise's steps: the image with
        noise of std ``sigma_t``), else ``x_t`` itself (the forward process, a
        generation: ``sqrt(abar_t)`` of the image with noise of std ``sqrt(1 - abar_t)``).

    Returns
    -------
    str
        ``"x_t / sqrt(abar) = x_0 + 0.0312 eps"`` or ``"x_t = 0.155 x_0 + 0.988 eps"``
        (``eps`` of std 1).
    """
    if scaled:
        return f"x_t / sqrt(abar) = x_0 + {sigma:.4g} eps"
    signal = 1.0 / math.sqrt(1.0 + sigma * sigma)  # sqrt(abar_t)
    return f"x_t = {signal:.3g} x_0 + {sigma * signal:.3g} eps"


@dataclass(frozen=True)
class Frame:
    """One stored step of a reverse-diffusion run, in pixel units.

    Parameters
    ----------
    step, n_steps : int
        Step number (1-based) and total steps.
    t, sigma : float
        Time reached and the noise level there (where ``x_t`` is).
    x_t, x0_pred : ndarray of float32
        The state and the x_0 prediction, possibly downsampled (see :class:`Trajectory`).
    t_from, sigma_from : float
        The time the step started from, where ``x0_pred`` was made, and its noise level.
    scaled : bool
        Whether ``x_t`` is the state divided by ``sqrt(abar_t)``, as a denoise's steps are
        (:func:`noisy_state`), else the state itself, as a generation's.
    """

    step: int
    n_steps: int
    t: float
    sigma: float
    x_t: np.ndarray
    x0_pred: np.ndarray
    t_from: float
    sigma_from: float
    scaled: bool = True

    def describe(self, *, x0: bool) -> str:
        """Say which step this is and the time and noise of the image shown.

        Times have 4 significant digits (``t = 0.162``, ``t = 960``); the noise is
        what the picture holds (:func:`noisy_state`).

        Parameters
        ----------
        x0 : bool
            Whether the x_0 prediction is shown (made at ``t_from`` from the state there),
            else ``x_t`` (at ``t``).
        """
        if x0:
            state = noisy_state(self.sigma_from, scaled=self.scaled)
            return (
                f"step {self.step}/{self.n_steps}   x0 predicted at t = {self.t_from:.4g}"
                f" from {state} ({SIGMA_UNITS})"
            )
        state = noisy_state(self.sigma, scaled=self.scaled)
        return (
            f"step {self.step}/{self.n_steps}   x_t at t = {self.t:.4g}:   {state} ({SIGMA_UNITS})"
        )


class Trajectory:
    """The step images of one run, bounded in memory.

    Each frame holds two float32 images; when all frames at full size would
    exceed `budget` bytes, every image is kept at ``1 / stride`` of its size
    (strided subsampling; the final result itself is kept apart at full size).

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)`` of the full image.
    n_steps : int
        Frames expected.
    budget : int
        Memory allowed for all frames, in bytes.
    scaled : bool
        Whether the states come divided by ``sqrt(abar_t)`` (a denoise's), else as they
        are (a generation's): :attr:`Frame.scaled`.
    """

    def __init__(
        self,
        shape: tuple[int, int],
        n_steps: int,
        *,
        budget: int = TRAJECTORY_BUDGET_BYTES,
        scaled: bool = True,
    ) -> None:
        self.shape = shape
        self.scaled = scaled
        full = 2 * 4 * shape[0] * shape[1] * max(n_steps, 1)
        self.stride = max(1, math.ceil(math.sqrt(full / budget)))
        self.frames: list[Frame] = []

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def nbytes(self) -> int:
        """Memory held by the stored images."""
        return sum(f.x_t.nbytes + f.x0_pred.nbytes for f in self.frames)

    def add(self, state: DenoiseStep) -> None:
        """Store one step with its images (a later frame for the same step replaces the earlier).

        Parameters
        ----------
        state : DenoiseStep
            The step, with ``image`` (the state ``x_t``) and ``x0_pred`` set.
        """
        s = self.stride
        frame = Frame(
            state.step,
            state.n_steps,
            float(state.t),
            float(state.sigma),
            np.ascontiguousarray(state.image[::s, ::s], dtype=np.float32),
            np.ascontiguousarray(state.x0_pred[::s, ::s], dtype=np.float32),
            float(state.t_from),
            float(state.sigma_from),
            self.scaled,
        )
        if self.frames and self.frames[-1].step == state.step:
            self.frames[-1] = frame
        else:
            self.frames.append(frame)


class TimelineWidget(QWidget):
    """Mode picker, x_t / x0 toggle, play/pause, slider and a label of step, t and sigma.

    Each mode keeps its own place on the slider: leaving a mode remembers the slider's
    range and value, and coming back restores them. The label has a line of its own
    under the slider: the slider keeps its room, and the label its one line, in a
    narrow window too (beside it, they squeezed each other).
    """

    indexChanged = Signal(int)
    """Slider moved in step mode (reverse or demo): the frame index."""
    forwardTimeChanged = Signal(int)
    """Slider moved in forward mode: the time t."""
    modeChanged = Signal(str)
    demoRequested = Signal()

    def __init__(self) -> None:
        super().__init__()
        # Narrow windows may shorten their text, so that docks beside the views fit.
        self.mode = ShrinkingComboBox(10)
        for mode in MODES:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setToolTip(MODE_TIP)
        self.mode.setAccessibleName("Timeline mode")  # a list box's name is else its entry
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.show_x0 = ShrinkingComboBox(8)
        self.show_x0.addItem("x0 prediction", True)
        self.show_x0.addItem("x_t (noisy state)", False)
        self.show_x0.setToolTip("Show the network's estimate of the clean image, or the state x_t")
        self.show_x0.setAccessibleName("Timeline image: x0 or x_t")
        self.show_x0.currentIndexChanged.connect(lambda: self._emit())
        self.play = QToolButton(text="Play")
        self.play.setCheckable(True)
        self.play.setToolTip("Play / pause the steps (Space)")
        self.play.toggled.connect(self._toggle_play)
        self.demo = QToolButton(text="Generate")
        self.demo.setToolTip("Generate an image from pure noise with the model")
        self.demo.clicked.connect(self.demoRequested)
        self.demo.hide()
        self.demo_steps = QSpinBox(minimum=1, maximum=1000, value=DEMO_STEPS, suffix=" steps")
        self.demo_steps.setAccessibleName("Generation steps")
        self.demo_steps.setToolTip(DEMO_STEPS_TIP)
        self.demo_steps.hide()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip(SLIDER_TIPS[self.current_mode])
        self.slider.setAccessibleName(SLIDER_NAMES[self.current_mode])
        self._frame_count = 0
        self._shown_mode = self.current_mode
        self._forward_max = FORWARD_T_MAX  # the model's last timestep, once one gives it
        # Where each mode left the slider: its frame count (None: forward) and value.
        self._places: dict[str, tuple[int | None, int]] = {"forward": (None, FORWARD_T_MAX // 4)}
        self.slider.valueChanged.connect(lambda _: self._emit())
        self.slider.setMinimumWidth(SLIDER_MIN_WIDTH)
        self.label = QLabel("No steps yet")
        self.label.setWordWrap(True)  # two lines rather than cut, in a very narrow window
        self.timer = QTimer(self)
        self.timer.setInterval(150)
        self.timer.timeout.connect(self._advance)
        row = QHBoxLayout()
        for widget in (self.mode, self.show_x0, self.play, self.demo, self.demo_steps):
            row.addWidget(widget)
        row.addWidget(self.slider, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.label)

    @property
    def current_mode(self) -> str:
        """``"reverse"``, ``"forward"`` or ``"demo"``."""
        return self.mode.currentData()

    @property
    def x0(self) -> bool:
        """Whether to show the x_0 prediction (else x_t)."""
        return bool(self.show_x0.currentData())

    def set_mode(self, mode: str) -> None:
        """Switch mode."""
        self.mode.setCurrentIndex(MODES.index(mode))

    @property
    def frame_count(self) -> int:
        """Frames the slider spans in a step mode (as the last :meth:`set_frame_count` said)."""
        return self._frame_count

    def set_frame_count(self, count: int, *, go_to_end: bool | None = None) -> None:
        """Set how many frames the slider spans (step modes).

        Parameters
        ----------
        count : int
            Frames of the mode shown.
        go_to_end : bool, optional
            Whether to show the last frame; by default only if the slider was already
            at the end (it follows a running job unless the user scrubbed back).
        """
        if go_to_end is None:
            go_to_end = self.slider.value() >= self.slider.maximum()
        self._frame_count = count
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, max(count - 1, 0))
            if go_to_end:
                self.slider.setValue(max(count - 1, 0))
        self.slider.setEnabled(count > 0)

    def set_forward_span(self, t_max: int) -> None:
        """Make the forward-process slider run over t in ``[0, t_max]``.

        The model's schedule sets it (its ``n_timesteps``). The forward place keeps its
        share of the process: it starts at a quarter of it, and a place the user chose
        at t = 700 of 1000 is at t = 140 of 200. No signal is emitted: the caller shows
        the place the slider has then.

        Parameters
        ----------
        t_max : int
            The model's number of timesteps, >= 1.
        """
        old, self._forward_max = self._forward_max, max(int(t_max), 1)
        if self._forward_max == old:
            return
        shown = self.current_mode == "forward"
        t = self.slider.value() if shown else self._places["forward"][1]
        t = min(max(round(t * self._forward_max / old), 0), self._forward_max)
        if shown:
            with QSignalBlocker(self.slider):
                self.slider.setRange(0, self._forward_max)
                self.slider.setValue(t)
        else:
            self._places["forward"] = (None, t)

    def set_label(self, text: str) -> None:
        """Set the text beside the slider."""
        self.label.setText(text)

    def _mode_changed(self) -> None:
        mode = self.current_mode
        self.play.setChecked(False)
        left = self._shown_mode
        self._places[left] = (None if left == "forward" else self._frame_count, self.slider.value())
        self._shown_mode = mode
        self.demo.setVisible(mode == "demo")
        self.demo_steps.setVisible(mode == "demo")
        self.show_x0.setEnabled(mode != "forward")
        self.slider.setToolTip(SLIDER_TIPS[mode])
        self.slider.setAccessibleName(SLIDER_NAMES[mode])
        count, value = self._places.get(mode, (0, 0))
        with QSignalBlocker(self.slider):
            if count is None:
                self.slider.setRange(0, self._forward_max)
                self.slider.setEnabled(True)
            else:
                self.set_frame_count(count, go_to_end=False)
            self.slider.setValue(value)
        self.modeChanged.emit(mode)
        self._emit()

    def _emit(self) -> None:
        if self.current_mode == "forward":
            self.forwardTimeChanged.emit(self.slider.value())
        else:
            self.indexChanged.emit(self.slider.value())

    def _toggle_play(self, playing: bool) -> None:
        self.play.setText("Pause" if playing else "Play")
        if playing:
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(self.slider.minimum())
            self.timer.start()
        else:
            self.timer.stop()

    def _advance(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.play.setChecked(False)
        else:
            step = max(self._forward_max // 100, 1) if self.current_mode == "forward" else 1
            self.slider.setValue(min(self.slider.value() + step, self.slider.maximum()))
