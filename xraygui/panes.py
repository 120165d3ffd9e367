"""Linked image panes: Before | After (| Residual | Uncertainty), crosshair, swipe overlay.

Each pane shows display grey levels in [0, 1] that :func:`core.display.to_display` made;
the panes never see pixel values, so nothing shown here can change the data.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QWidget

PANE_NAMES = ("before", "after", "residual", "uncertainty")
TITLES = {
    "before": "Before",
    "after": "After",
    "residual": "Residual (before - denoised result)",
    "uncertainty": "Uncertainty (sample spread)",
}
_CROSSHAIR_PEN = pg.mkPen((255, 200, 0, 120), width=1)
ZOOM_STEP = 1.25
"""Zoom In and Zoom Out scale the view by this factor."""
PAN_STEP = 0.1
"""An arrow key moves the view by this share of what it shows."""
_PAN_KEYS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),  # row 0 is at the top
    Qt.Key.Key_Down: (0, 1),
}


class ImageViewBox(pg.ViewBox):
    """A ViewBox for radiographs: row 0 at the top, square pixels, right-drag for window/level.

    Left-drag pans and the wheel zooms, as pyqtgraph does; right-drag emits
    :attr:`sigWindowDrag` with the mouse motion in screen pixels instead of zooming.
    """

    sigWindowDrag = Signal(float, float)

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: D102 (Qt override)
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            if not ev.isStart():
                delta = ev.screenPos() - ev.lastScreenPos()
                self.sigWindowDrag.emit(delta.x(), delta.y())
            return
        super().mouseDragEvent(ev, axis)


class PaneTitle(pg.LabelItem):
    """A pane's title that never makes the image view wider than the pane.

    pyqtgraph's label asks for the width of its text; in a pane narrower than that,
    the view would spill past the pane's edges and show another region than the panes
    linked to it. This one asks for no width: a narrow pane cuts the text at its sides.
    """

    def updateMin(self) -> None:  # noqa: D102, N802 (pyqtgraph override)
        super().updateMin()
        self.setMinimumWidth(0)

    def sizeHint(self, hint: Qt.SizeHint, constraint) -> QSizeF:  # noqa: D102 (Qt override)
        size = super().sizeHint(hint, constraint)
        if hint == Qt.SizeHint.MinimumSize:
            size.setWidth(0)
        return size


class ImagePane(pg.GraphicsLayoutWidget):
    """One titled image view with a crosshair.

    Parameters
    ----------
    title : str
        Shown above the image.
    """

    sigCursor = Signal(object)
    """Emitted with ``(row, col)`` while the mouse is over the image, None when it leaves."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setBackground("k")
        self.title = PaneTitle(title, color="#ddd")
        self.addItem(self.title, row=0, col=0)
        self.view = ImageViewBox()
        self.addItem(self.view, row=1, col=0)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self._shown: tuple = (None, None, None)  # what show_grey last drew: grey, extent, lut
        self.view.addItem(self.image_item)
        self.vline = pg.InfiniteLine(angle=90, pen=_CROSSHAIR_PEN)
        self.hline = pg.InfiniteLine(angle=0, pen=_CROSSHAIR_PEN)
        for line in (self.vline, self.hline):
            line.setZValue(20)
            line.hide()
            self.view.addItem(line, ignoreBounds=True)
        self.scene().sigMouseMoved.connect(self._mouse_moved)

    def set_title(self, title: str) -> None:
        """Change the text above the image."""
        self.title.setText(title, color="#ddd")

    def show_grey(
        self, grey: np.ndarray | None, *, extent: tuple[int, int] | None = None, lut=None
    ) -> None:
        """Show display grey levels; None clears the pane.

        Parameters
        ----------
        grey : ndarray or None
            Grey levels in [0, 1], shape (rows, cols).
        extent : tuple of int, optional
            ``(rows, cols)`` of the full image when `grey` is a downsampled copy,
            so it covers the same area as the full-size panes.
        lut : ndarray, optional
            A colour lookup table (e.g. for the uncertainty map).
        """
        shown = (grey, extent, lut)
        previous = self._shown
        if grey is previous[0] and lut is previous[2] and extent == previous[1]:
            return  # the same arrays (a cached residual, say): nothing to redraw
        self._shown = shown
        if grey is None:
            self.image_item.clear()
            return
        self.image_item.setImage(grey, autoLevels=False, levels=(0.0, 1.0), lut=lut)
        rows, cols = extent if extent is not None else grey.shape
        self.image_item.setRect(QRectF(0, 0, cols, rows))

    def set_crosshair(self, point: tuple[float, float] | None) -> None:
        """Place the crosshair at ``(row, col)``, or hide it."""
        for line in (self.vline, self.hline):
            line.setVisible(point is not None)
        if point is not None:
            self.hline.setPos(point[0])
            self.vline.setPos(point[1])

    def _mouse_moved(self, scene_pos: QPointF) -> None:
        if self.image_item.image is None or not self.view.sceneBoundingRect().contains(scene_pos):
            self.sigCursor.emit(None)
            return
        point = self.view.mapSceneToView(scene_pos)
        self.sigCursor.emit((point.y(), point.x()))


class SwipeOverlay:
    """Shows the After image over part of a pane, right of a draggable divider.

    Parameters
    ----------
    pane : ImagePane
        The pane that shows the Before image.
    """

    def __init__(self, pane: ImagePane) -> None:
        self.pane = pane
        self.item = pg.ImageItem(axisOrder="row-major")
        self.item.setZValue(10)
        self.divider = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("c", width=2))
        self.divider.setZValue(30)
        self.divider.sigPositionChanged.connect(self._update)
        self._grey: np.ndarray | None = None
        self._extent: tuple[int, int] = (0, 0)
        self.enabled = False

    def set_enabled(self, enabled: bool) -> None:
        """Add or remove the overlay and its divider from the pane."""
        if enabled == self.enabled:
            return
        self.enabled = enabled
        if enabled:
            self.pane.view.addItem(self.item)
            self.pane.view.addItem(self.divider, ignoreBounds=True)
            self.divider.setPos(self._extent[1] / 2)
        else:
            self.pane.view.removeItem(self.item)
            self.pane.view.removeItem(self.divider)
        self._update()

    def set_grey(self, grey: np.ndarray | None, extent: tuple[int, int]) -> None:
        """Set the After grey levels (possibly downsampled) covering ``extent`` = (rows, cols).

        An image of another size gets the divider in its middle; it stays inside the image.
        """
        resized = extent != self._extent
        self._grey, self._extent = grey, extent
        if resized:
            self.divider.setBounds((0, extent[1]))
            self.divider.setPos(extent[1] / 2)
        self._update()

    @property
    def split(self) -> float:
        """Column of the divider, in image pixels."""
        return float(self.divider.value())

    def _update(self) -> None:
        if not self.enabled or self._grey is None:
            self.item.clear()
            return
        rows, cols = self._extent
        scale = self._grey.shape[1] / cols
        first = int(np.clip(round(self.split * scale), 0, self._grey.shape[1]))
        if first >= self._grey.shape[1]:
            self.item.clear()
            return
        self.item.setImage(self._grey[:, first:], autoLevels=False, levels=(0.0, 1.0))
        self.item.setRect(QRectF(first / scale, 0, cols - first / scale, rows))


class ComparisonView(QWidget):
    """Side-by-side panes with linked zoom/pan and a shared crosshair.

    Window/level is shared by construction: the main window renders every pane
    with the same window. Right-drag in any pane emits :attr:`sigWindowDrag`;
    the arrow keys pan while a pane has keyboard focus.
    """

    sigCursor = Signal(object)
    """Emitted with ``(pane name, row, col)`` while the mouse is over a pane, else None."""
    sigWindowDrag = Signal(float, float)

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.panes: dict[str, ImagePane] = {}
        for name in PANE_NAMES:
            pane = ImagePane(TITLES[name])
            self.panes[name] = pane
            # Equal stretch: a pane's size hint is its last size, so without it the panes
            # keep whatever widths they had before one was hidden or shown.
            layout.addWidget(pane, 1)
            pane.sigCursor.connect(lambda point, n=name: self._cursor(n, point))
            pane.view.sigWindowDrag.connect(self.sigWindowDrag)
            if name != "before":
                pane.view.setXLink(self.panes["before"].view)
                pane.view.setYLink(self.panes["before"].view)
        self.swipe = SwipeOverlay(self.panes["before"])
        for name in ("residual", "uncertainty"):
            self.panes[name].hide()

    def set_pane_visible(self, name: str, visible: bool) -> None:
        """Show or hide one pane (the Before pane is always shown)."""
        if name != "before":
            self.panes[name].setVisible(visible)

    def set_swipe(self, enabled: bool) -> None:
        """Overlay After on Before with a divider, and hide the After pane while on."""
        self.swipe.set_enabled(enabled)
        self.panes["after"].setVisible(not enabled)
        self.panes["before"].set_title("Before | After (drag the divider)" if enabled else "Before")

    def fit(self) -> None:
        """Zoom so the whole image fits the panes."""
        pane = self.panes["before"]
        if pane.image_item.image is not None:
            pane.view.autoRange(items=[pane.image_item], padding=0.0)

    def one_to_one(self) -> None:
        """Zoom so one image pixel covers one screen pixel, keeping the centre."""
        view = self.panes["before"].view
        (x0, x1), (y0, y1) = view.viewRange()
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        ratio = self.devicePixelRatioF() or 1.0
        w, h = view.width() * ratio, view.height() * ratio
        view.setRange(xRange=(cx - w / 2, cx + w / 2), yRange=(cy - h / 2, cy + h / 2), padding=0)

    def zoom(self, factor: float) -> None:
        """Magnify every pane by `factor` about the centre of the view (below 1 zooms out)."""
        self.panes["before"].view.scaleBy((1 / factor, 1 / factor))

    def pan(self, right: float, down: float) -> None:
        """Move every pane's view by these shares of its width and height."""
        view = self.panes["before"].view
        (x0, x1), (y0, y1) = view.viewRange()
        view.translateBy(x=right * (x1 - x0), y=down * (y1 - y0))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Pan with the arrow keys; a focused pane passes on the keys it does not use."""
        step = _PAN_KEYS.get(Qt.Key(event.key()))
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if step is None or plain != Qt.KeyboardModifier.NoModifier:
            super().keyPressEvent(event)
            return
        self.pan(step[0] * PAN_STEP, step[1] * PAN_STEP)
        event.accept()

    def _cursor(self, name: str, point: tuple[float, float] | None) -> None:
        for pane in self.panes.values():
            pane.set_crosshair(point)
        self.sigCursor.emit(None if point is None else (name, *point))
