"""Keys for the focused widget: the window's one-key shortcuts step aside where keys type.

The main window's view shortcuts are single keys (S, U, A, F, 1-5, Space, ...) that work
wherever the focus is. Qt gives a shortcut priority over the focused widget's own use of
the key unless the widget claims the key in a ``ShortcutOverride`` event. Text fields and
spin boxes claim the keys they type themselves; :class:`KeysForFocusedWidgets` claims
the keys of list boxes (type-ahead) and buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QComboBox

_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
"""Modifiers that still type a character (a capital, a keypad digit)."""


class KeysForFocusedWidgets(QObject):
    """Let a focused widget have the keys it uses rather than the window's one-key shortcuts.

    - Space presses the focused button or opens the focused list, rather than playing
      the steps (except on the play button itself).
    - A printable key without Ctrl, Alt or Meta picks the entry of a focused list that
      starts with the letters typed, rather than triggering a shortcut such as S or U.

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
                and isinstance(widget, QAbstractButton | QComboBox)
                and widget is not self._play
            )
        text = event.text()
        return (
            isinstance(widget, QComboBox)
            and not modifiers & ~_TYPING_MODIFIERS
            and bool(text)
            and text.isprintable()
        )
