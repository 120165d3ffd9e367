"""A number field that holds any float exactly and shows it in its shortest exact form."""

from __future__ import annotations

import re

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

EXACT_DECIMALS = 17
"""Decimals the field keeps: enough for any float it holds to round-trip (Qt rounds to them)."""

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PARTIAL_NUMBER = re.compile(r"[+-]?\d*\.?\d*([eE][+-]?\d*)?")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")
"""Thousands grouped with commas, as the dose dialog's labels print the quanta."""


def plain_number(text: str) -> str:
    """Return pasted or typed text without surrounding spaces or thousands separators."""
    text = text.strip()
    return text.replace(",", "") if _GROUPED.fullmatch(text) else text


def exact_text(value: float) -> str:
    """Return the shortest text that reads back as exactly ``value`` (no ``.0`` on integers).

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    str
        ``"20000"``, ``"19899.395757682956"`` or ``"7.028520924838421"``, say.
    """
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class ExactSpinBox(QDoubleSpinBox):
    """A :class:`QDoubleSpinBox` that keeps every digit typed, e.g. a report's recorded value.

    A plain spin box rounds to its decimals and pads them with zeros; this one
    shows a value as :func:`exact_text` writes it and reads typed text as Python
    reads a float (a point for decimals, whatever the locale), so a number copied
    from a simulation's description is entered exactly.

    Parameters
    ----------
    minimum, maximum, value : float
        The range and the initial value.
    parent : QWidget, optional
        The parent widget.
    """

    def __init__(
        self, *, minimum: float, maximum: float, value: float, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setDecimals(EXACT_DECIMALS)
        self.setRange(minimum, maximum)
        self.setValue(value)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        """Show ``value`` as :func:`exact_text` does."""
        return exact_text(value)

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        """Read typed text as a float (the current value where it is none)."""
        try:
            return float(plain_number(text))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept a number in range, let a number being typed through, refuse anything else.

        Spaces around it and thousands separators ("19,899", pasted from a label) go.
        """
        plain = plain_number(text)
        if plain != text:
            text, pos = plain, min(pos, len(plain))
        if _NUMBER.fullmatch(text) is None:
            partial = _PARTIAL_NUMBER.fullmatch(text) is not None
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= float(text) <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos
