"""Keys for the focused widget: the window's one-key shortcuts step aside where keys type.

The main window's view shortcuts are single keys (S, U, A, F, 1-5, Space, ...) that work
wherever the focus is. Qt gives a shortcut priority over the focused widget's own use of
the key unless the widget claims the key in a ``ShortcutOverride`` event. Text fields and
spin boxes claim the keys they type themselves; :class:`KeysForFocusedWidgets` claims
the keys of list boxes and lists (type-ahead) and buttons.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QComboBox

_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
"""Modifiers that still type a character (a capital, a keypad digit)."""


class KeysForFocusedWidgets(QObject):
    """Let a focused widget have the keys it uses rather than the window's one-key shortcuts.

    - Space presses the focused button, opens the focused list box or selects in the
      focused list or tree, rather than playing the steps (except on the play button
      itself).
    - A printable key without Ctrl, Alt or Meta goes to a focused list box when an
      entry starts with it (with the keys typed just before it, as the list's own
      type-ahead takes them): typing "cuda" in the device list picks cuda rather than
      triggering U and A. Keys no entry starts with (digits of the window presets, = and
      - of the zoom, S after picking a sampler) stay the window's shortcuts.
    - Any printable key without Ctrl, Alt or Meta goes to a focused list or tree (the
      Images list, the DICOM tags), whose type-ahead takes it: typing "iv" there finds
      "ivory" rather than inverting and showing the Uncertainty pane.

    Install it on the application (``QApplication.installEventFilter``).

    Parameters
    ----------
    play : QAbstractButton
        The play button, for which Space stays the shortcut.
    parent : QObject
        Owner.
    """

    def __init__(self, play: QAbstractButton, parent: QObject) -> None:
        super().__init__(parent)
        self._play = play
        self._typed: tuple[QComboBox | None, str, float] = (None, "", 0.0)
        """The list, the keys typed into it and when the last was."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Claim the key of a ``ShortcutOverride`` for the focused widget that uses it."""
        if event.type() == QEvent.Type.ShortcutOverride and self._claims(watched, event):
            event.accept()  # the widget gets the key press; the shortcut does not fire
        return False

    def _claims(self, widget: QObject, event: QKeyEvent) -> bool:
        modifiers = event.modifiers()
        if event.key() == Qt.Key.Key_Space:
            return (
                modifiers == Qt.KeyboardModifier.NoModifier
                and isinstance(widget, QAbstractButton | QComboBox | QAbstractItemView)
                and widget is not self._play
            )
        text = event.text()
        if not (
            isinstance(widget, QComboBox | QAbstractItemView)
            and not modifiers & ~_TYPING_MODIFIERS
            and bool(text)
            and text.isprintable()
        ):
            return False
        return isinstance(widget, QAbstractItemView) or self._types_ahead(widget, text)

    def _types_ahead(self, combo: QComboBox, text: str) -> bool:
        """Whether an entry of `combo` starts with the keys typed so far and `text`."""
        last_combo, typed, at = self._typed
        now = time.monotonic()
        recent = now - at < QApplication.keyboardInputInterval() / 1000
        prefix = (typed if last_combo is combo and recent else "") + text
        entries = (combo.itemText(i).casefold() for i in range(combo.count()))
        if not any(entry.startswith(prefix.casefold()) for entry in entries):
            return False
        self._typed = (combo, prefix, now)
        return True
