"""Keys for the focused widget: the window's one-key shortcuts step aside where keys type.

The main window's view shortcuts are single keys (S, U, A, F, 1-5, Space, ...) that work
wherever the focus is. Qt gives a shortcut priority over the focused widget's own use of
the key unless the widget claims the key in a ``ShortcutOverride`` event. Text fields and
spin boxes claim the keys they type themselves; :class:`KeysForFocusedWidgets` claims
the keys of list boxes, lists and trees that their type-ahead uses, and of buttons.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QTreeView,
)

_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
"""Modifiers that still type a character (a capital, a keypad digit)."""


class KeysForFocusedWidgets(QObject):
    """Let a focused widget have the keys it uses rather than the window's one-key shortcuts.

    - Space presses the focused button or opens the focused list box, rather than
      playing the steps (except on the play button itself).
    - A printable key without Ctrl, Alt or Meta, and Space in a list or tree, goes to a
      focused list box, list or tree when one of its entries starts with it (with the
      keys typed into it just before, as its own type-ahead takes them): typing "cuda"
      in the device list picks cuda rather than triggering U and A, and typing "iv" in
      the Images list finds "ivory" rather than inverting and showing the Uncertainty
      pane. Keys no entry starts with (I, R or the digits of the window presets after
      opening an image from the Images list, = and - of the zoom, S after picking a
      sampler) stay the window's shortcuts.

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
        self._typed: tuple[QObject | None, str, float] = (None, "", 0.0)
        """The list typed into last, the keys its type-ahead holds and when the last came."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Claim the key of a ``ShortcutOverride`` for the focused widget that uses it.

        A key a list or list box receives is noted, as its type-ahead notes it.
        """
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and self._claims(watched, event):
            event.accept()  # the widget gets the key press; the shortcut does not fire
        elif kind == QEvent.Type.KeyPress and (text := _typed_text(watched, event)):
            self._typed = (watched, self._prefix(watched, text), time.monotonic())
        return False

    def _claims(self, widget: QObject, event: QKeyEvent) -> bool:
        if (
            event.key() == Qt.Key.Key_Space
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and isinstance(widget, QAbstractButton | QComboBox)
        ):
            return widget is not self._play
        text = _typed_text(widget, event)
        return bool(text) and self._types_ahead(widget, text)

    def _prefix(self, widget: QObject, text: str) -> str:
        """Return the keys `widget`'s type-ahead holds once `text` is typed into it.

        As Qt's ``keyboardSearch``: the keys typed within the keyboard input interval,
        the last of them now.
        """
        last, typed, at = self._typed
        recent = time.monotonic() - at <= QApplication.keyboardInputInterval() / 1000
        return (typed if last is widget and recent else "") + text

    def _types_ahead(self, widget: QComboBox | QAbstractItemView, text: str) -> bool:
        """Whether an entry of `widget` starts with the keys typed so far and `text`."""
        prefix = self._prefix(widget, text).casefold()
        if len(prefix) > 1 and prefix == prefix[0] * len(prefix):
            prefix = prefix[0]  # the same key again: Qt goes to the next entry it starts
        entries = _entries(widget)
        return any(entry.casefold().startswith(prefix) for entry in entries)


def _typed_text(widget: QObject, event: QKeyEvent) -> str:
    """Return what `event` types into a list box, list or tree for its type-ahead, or "".

    A printable key without Ctrl, Alt or Meta; Space too in a list or tree (a list box
    opens on Space).
    """
    if isinstance(widget, QAbstractItemView):
        allowed = (
            event.key() != Qt.Key.Key_Space or event.modifiers() == Qt.KeyboardModifier.NoModifier
        )
    elif isinstance(widget, QComboBox):
        allowed = event.key() != Qt.Key.Key_Space
    else:
        return ""
    text = event.text()
    if not allowed or event.modifiers() & ~_TYPING_MODIFIERS or not text.isprintable():
        return ""
    return text


def _entries(widget: QComboBox | QAbstractItemView) -> Iterator[str]:
    """Yield the texts `widget`'s type-ahead searches.

    A list box's entries; a list's rows, in the current column; a tree's rows in sight
    (those of expanded branches), in the current column.
    """
    if isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
        return
    model = widget.model()
    if model is None:
        return
    current = widget.currentIndex()
    column = max(current.column(), 0)
    tree = isinstance(widget, QTreeView)
    parents = [widget.rootIndex() if tree or not current.isValid() else current.parent()]
    while parents:
        parent = parents.pop()
        for row in range(model.rowCount(parent)):
            data = model.index(row, column, parent).data()
            yield "" if data is None else str(data)
            first = model.index(row, 0, parent)
            if tree and widget.isExpanded(first):
                parents.append(first)
