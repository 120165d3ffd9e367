"""A field for a seed of up to 64 bits, as the command line takes one.

Qt's spin box holds a 32-bit signed integer, so the app took seeds up to 2**31 - 1 while
``xray-denoise denoise --seed`` and ``simulate --seed`` take any up to 2**64 - 1 and the
outputs record them: a run of the command line with a larger seed could not be repeated
in the app. :class:`SeedBox` keeps a spin box's ``value``, ``setValue`` and
``valueChanged`` and its arrow keys.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QRegularExpressionValidator, QValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from core.denoise.settings import MAX_SEED


class _SeedValidator(QRegularExpressionValidator):
    """Accept the decimal digits of a number from 0 to :data:`MAX_SEED`."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(QRegularExpression("[0-9]{0,20}"), parent)

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        """Take the digits of a seed pasted with spaces, a line's end or a ``+``, as a spin box."""
        kept = "".join(text.split()).removeprefix("+")
        position -= len(text[:position]) - len("".join(text[:position].split()).removeprefix("+"))
        state, text, position = super().validate(kept, max(position, 0))
        if state == QValidator.State.Acceptable and not text:
            state = QValidator.State.Intermediate  # not a seed yet
        elif state == QValidator.State.Acceptable and int(text) > MAX_SEED:
            state = QValidator.State.Invalid  # not typed, as a spin box refuses it
        return state, text, position


class SeedBox(QLineEdit):
    """A seed from 0 to 2**64 - 1: typed, or stepped with the Up and Down keys.

    Signals
    -------
    valueChanged(object)
        The new seed (a Python int: it may not fit Qt's int), as it is typed (while
        the text is a seed), stepped or set.
    """

    valueChanged = Signal(object)

    def __init__(self, value: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(str(value), parent)
        self._value = value
        self.setValidator(_SeedValidator(self))
        self.textEdited.connect(self._take_typed)  # as a spin box's keyboard tracking

    def value(self) -> int:
        """Return the seed: the text typed where it is one, else the one before it."""
        return self._value

    def setValue(self, value: int) -> None:  # noqa: N802 (Qt's name, as a spin box's)
        """Show and take `value`, clamped to 0 to :data:`MAX_SEED`.

        Parameters
        ----------
        value : int
            The seed.
        """
        value = min(max(int(value), 0), MAX_SEED)
        self.setText(str(value))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        """Take the text typed, or show the seed taken last where it is none."""
        self._take_text()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Step the seed with Up and Down, as a spin box does."""
        step = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(event.key())
        if step is None:
            super().keyPressEvent(event)
            return
        self._take_text()
        self.setValue(self._value + step)

    def _take_typed(self, text: str) -> None:
        """Take the text typed where it is a seed, leaving it as typed."""
        if self.hasAcceptableInput() and int(text) != self._value:
            self._value = int(text)
            self.valueChanged.emit(self._value)

    def _take_text(self) -> None:
        """Show the seed taken: the text typed where it is one, else the one before it."""
        self.setValue(int(self.text()) if self.hasAcceptableInput() else self._value)
