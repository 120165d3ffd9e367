"""Linked image panes: Before | After (| Residual | Uncertainty), crosshair, swipe overlay.

Each pane shows display grey levels in [0, 1] that :func:`core.display.to_display` made;
the panes never see pixel values, so nothing shown here can change the data.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QHBoxLayout, QWidget

from xraygui.visible import Place

PANE_NAMES = ("before", "after", "residual", "uncertainty")
TITLES = {
    "before": "Before",
    "after": "After",
    "residual": "Residual (Before - final result)",  # reports.residual_title with no scale
    "uncertainty": "Uncertainty (sample spread)",
}
_ASIDE = re.compile(r" \([^()]*\)")
"""A parenthesised aside in a pane's title, with the space before it."""
_CROSSHAIR_PEN = pg.mkPen((255, 200, 0), width=1)
OUTLINE = QColor(0, 0, 0)
"""Drawn 1 px wide either side of the crosshair, the swipe divider and the region of
interest: each then shows on white (the outline, 21:1) and on black (its own colour)."""
FOCUS_FRAME_WIDTH = 2
"""Width (px) of the frame in the palette's highlight colour round a pane with the focus."""
PANE_DESCRIPTION = (
    "Image view: arrow keys pan, + and - zoom, right-drag sets window and level; F1 lists every key"
)
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
KEY_STEP = 0.05
"""Shift+Left/Right move the swipe divider, and Alt+arrows move (with Shift: resize) the
region of interest, by this share of what the view shows (at least one image pixel)."""
MAX_ZOOM_OUT = 10
"""Zooming out stops where the image is this many times smaller than at Fit (or at 1:1)."""
MIN_PIXELS_SHOWN = 4
"""Zooming in stops where this many image pixels span the pane's shorter side."""
MINIFIED = 0.999
"""Device pixels per image pixel under which an image is drawn minified (filtered)."""
_SHIFT = Qt.KeyboardModifier.ShiftModifier
_ALT = Qt.KeyboardModifier.AltModifier


class ImageViewBox(pg.ViewBox):
    """A ViewBox for radiographs: row 0 at the top, square pixels, right-drag for window/level.

    Left-drag pans and the wheel zooms, as pyqtgraph does; right-drag emits
    :attr:`sigWindowDrag` with the mouse motion in screen pixels instead of zooming.
    """

    sigWindowDrag = Signal(float, float)
    sigResizing = Signal()
    """Emitted when the view's size is about to change (``sigResized`` follows)."""

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)

    def resizeEvent(self, ev) -> None:  # noqa: D102, N802 (Qt override)
        if ev.oldSize() != ev.newSize():
            self.sigResizing.emit()
        super().resizeEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: D102 (Qt override)
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            if not ev.isStart():
                delta = ev.screenPos() - ev.lastScreenPos()
                self.sigWindowDrag.emit(delta.x(), delta.y())
            return
        super().mouseDragEvent(ev, axis)


def outline_pen(pen: QPen) -> QPen:
    """Return the dark pen drawn under `pen`: 1 px wider on each side, in :data:`OUTLINE`.

    Parameters
    ----------
    pen : QPen
        A cosmetic pen (widths in screen pixels), as ``pg.mkPen`` makes.

    Returns
    -------
    QPen
    """
    outline = QPen(pen)
    outline.setColor(OUTLINE)
    outline.setWidthF(max(pen.widthF(), 1.0) + 2.0)
    outline.setStyle(Qt.PenStyle.SolidLine)
    return outline


class OutlinedLine(pg.InfiniteLine):
    """An infinite line drawn over a dark outline, so it shows on bright and dark pixels alike.

    pyqtgraph's bounding rectangle keeps 1 px beyond the pen on each side: the outline's.
    """

    def paint(self, p: QPainter, *args) -> None:  # noqa: D102 (pyqtgraph override)
        left, right = self._endPoints  # set with the bounding rectangle, before any paint
        p.setPen(outline_pen(self.currentPen))
        p.drawLine(QPointF(left, 0), QPointF(right, 0))
        super().paint(p, *args)


class OutlinedRectROI(pg.RectROI):
    """A rectangular region of interest drawn over a dark outline (see :class:`OutlinedLine`)."""

    def paint(self, p: QPainter, opt, widget) -> None:  # noqa: D102 (pyqtgraph override)
        rect = QRectF(0, 0, self.state["size"][0], self.state["size"][1]).normalized()
        p.save()
        p.setPen(outline_pen(self.currentPen))
        p.translate(rect.left(), rect.top())
        p.scale(rect.width(), rect.height())  # as pyqtgraph draws the rectangle
        p.drawRect(QRectF(0, 0, 1, 1))
        p.restore()
        super().paint(p, opt, widget)


class PaneTitle(pg.LabelItem):
    """A pane's title that never makes the image view wider than the pane.

    pyqtgraph's label asks for the width of its text; in a pane narrower than that,
    the view would spill past the pane's edges and show another region than the panes
    linked to it. This one asks for no width; a title wider than the pane loses its
    parenthesised asides first, the last first ("(seed 0)", "(Before - final result)"),
    so that what comes before them (a dose, a scale) stays; a title so shortened, or cut
    where even that is too wide, ends with an ellipsis. The whole title is its tooltip,
    and :attr:`text` stays the whole title.
    """

    def __init__(self, text: str, **args) -> None:
        self._whole = text
        super().__init__(text, **args)

    def setText(self, text: str, **args) -> None:  # noqa: D102, N802 (pyqtgraph override)
        self._whole = text
        self.setToolTip(text)
        self._show(**args)

    def _show(self, **args) -> None:
        """Draw the whole title, or as much of it as the label's width holds."""
        super().setText(html.escape(self._elided(self.width())), **args)
        self.text = self._whole  # what the title says, not what fits

    def _elided(self, width: float) -> str:
        """Return the title shortened to fit `width` (whole before any layout).

        Parenthesised asides go first, the last first; what is still too wide is cut
        with an ellipsis at its end.
        """
        if width <= 0:
            return self._whole
        room = max(int(width - 2 * self.item.document().documentMargin()), 0)
        metrics = QFontMetrics(self.item.font())
        title, ellipsis = self._whole, ""
        asides = list(_ASIDE.finditer(title))
        while metrics.horizontalAdvance(title + ellipsis) > room and asides:
            aside = asides.pop()
            title, ellipsis = title[: aside.start()] + title[aside.end() :], "\u2026"
        return metrics.elidedText(title + ellipsis, Qt.TextElideMode.ElideRight, room)

    def resizeEvent(self, ev) -> None:  # noqa: D102, N802 (Qt override)
        if ev is not None and ev.oldSize().width() != ev.newSize().width():
            self._show()  # draws it anew, and places it through this with None
            return
        super().resizeEvent(ev)

    def updateMin(self) -> None:  # noqa: D102, N802 (pyqtgraph override)
        super().updateMin()
        self.setMinimumWidth(0)

    def sizeHint(self, hint: Qt.SizeHint, constraint) -> QSizeF:  # noqa: D102 (Qt override)
        size = super().sizeHint(hint, constraint)
        if hint == Qt.SizeHint.MinimumSize:
            size.setWidth(0)
        return size


class MinifyingImageItem(pg.ImageItem):
    """An image item that draws a minified view from means of blocks of pixels.

    Drawn smaller than one screen pixel per pixel, an image is averaged over whole blocks
    of pixels first, as many as fit in one screen pixel, and what is left (less than
    halving) is drawn with bilinear filtering: no pixel is skipped, so fine patterns and
    noise are not aliased, as they would be if one pixel in each block were drawn, and no
    detail the screen could show is averaged away. At 1:1 and above each pixel is drawn
    as it is. ``image`` stays the full image.
    pyqtgraph's own ``autoDownsample`` does the same with blocks a little smaller than a
    screen pixel, and takes some 50 ms per 16 Mpx where this takes some 10.
    """

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")
        self._blocks = (1, 1)  # rows and columns per block of the image drawn last

    def paint(self, painter: QPainter, *args) -> None:  # noqa: D102 (pyqtgraph override)
        minified = any(size < MINIFIED for size in self._screen_sizes())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, minified)
        super().paint(painter, *args)

    def setAutoDownsample(self, active: bool = True) -> None:  # noqa: D102, N802 (override)
        # Never pyqtgraph's as well: it would turn it on for images over 32767 pixels.
        super().setAutoDownsample(False)

    def render(self) -> None:  # noqa: D102 (pyqtgraph override)
        full = self.image
        self._blocks = self._wanted_blocks()
        if full is None or self._blocks == (1, 1):
            super().render()
            return
        self.image = block_mean(full, *self._blocks)
        try:
            super().render()
        finally:
            self.image = full

    def viewTransformChanged(self) -> None:  # noqa: D102, N802 (pyqtgraph override)
        super().viewTransformChanged()
        if self.image is not None and self._wanted_blocks() != self._blocks:
            self._renderRequired = True  # as pyqtgraph marks a new downsampling
            self.update()

    def _wanted_blocks(self) -> tuple[int, int]:
        """Rows and columns per block: as many as span at most a device pixel."""
        return blocks_for(self._screen_sizes())

    def _screen_sizes(self) -> tuple[float, float]:
        """Device pixels one image pixel spans down and across (1, 1 when not shown)."""
        origin, right, down = (
            self.mapToDevice(QPointF(*point)) for point in ((0, 0), (1, 0), (0, 1))
        )
        widget = self.getViewWidget()
        if origin is None or widget is None:
            return (1.0, 1.0)
        ratio = widget.devicePixelRatioF() or 1.0  # mapToDevice gives logical pixels
        down_size, across = (
            ratio * math.hypot(end.x() - origin.x(), end.y() - origin.y()) for end in (down, right)
        )
        return down_size, across


def blocks_for(sizes: tuple[float, float]) -> tuple[int, int]:
    """Return the rows and columns of pixels that fit in a device pixel (at least 1 each).

    Parameters
    ----------
    sizes : tuple of float
        Device pixels one image pixel spans down and across.

    Returns
    -------
    tuple of int
        ``(rows, cols)`` per block of a minified view.
    """
    rows, cols = (max(1, math.floor(1 / size + 0.01)) if size > 0 else 1 for size in sizes)
    return rows, cols


def block_mean(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Return the means of blocks of ``rows`` x ``cols`` pixels of a 2-D image.

    Summed in float32, which is fast; where a float32 sum overflows (a floating-point
    image's values near its largest, 3.4e38: never grey levels or integers), the means
    are summed again in float64.

    Parameters
    ----------
    image : ndarray, shape (m, n)
        Grey levels, or an image's pixel values.
    rows, cols : int
        Block size; the blocks of the last rows and columns, where they fill no whole
        block, average the pixels they have (a line at the image's edge is not lost).

    Returns
    -------
    ndarray of float32, shape ``(ceil(m / rows), ceil(n / cols))``
    """
    rows, cols = min(rows, image.shape[0]), min(cols, image.shape[1])
    with np.errstate(over="ignore"):
        out = _block_means(image, rows, cols, wide=False)
    if not np.isfinite(out).all():  # an overflow (or a value that is not finite)
        out = _block_means(image, rows, cols, wide=True)
    return out


def _block_means(image: np.ndarray, rows: int, cols: int, *, wide: bool) -> np.ndarray:
    """:func:`block_mean`, summed in float64 where `wide`, else as NumPy does (float32)."""
    height, width = image.shape[0] // rows * rows, image.shape[1] // cols * cols
    down, across = height // rows, width // cols
    dtype = np.float64 if wide else None  # None: NumPy's own accumulator for the edges
    out = np.empty((-(-image.shape[0] // rows), -(-image.shape[1] // cols)), np.float32)
    out[:down, :across] = _whole_block_means(image[:height, :width], rows, cols, wide=wide)
    if height < image.shape[0]:  # a band of fewer rows than a block
        band = image[height:]
        blocks = band[:, :width].reshape(-1, across, cols)
        out[down, :across] = blocks.mean(axis=(0, 2), dtype=dtype)
        if width < image.shape[1]:
            out[down, across] = band[:, width:].mean(dtype=dtype)
    if width < image.shape[1]:  # a strip of fewer columns than a block
        strip = image[:height, width:]
        out[:down, across] = strip.reshape(down, rows, -1).mean(axis=(1, 2), dtype=dtype)
    return out


def _whole_block_means(image: np.ndarray, rows: int, cols: int, *, wide: bool) -> np.ndarray:
    """Means of the blocks of an image of whole blocks, summed in float64 or float32."""
    # Strided sums, rows then columns: one pass over the image, no temporary of its size.
    summed = image[0::rows].astype(np.float64 if wide else np.float32)
    for row in range(1, rows):
        summed += image[row::rows]
    out = summed[:, 0::cols].copy()
    for col in range(1, cols):
        out += summed[:, col::cols]
    out /= rows * cols
    return out


class ImagePane(pg.GraphicsLayoutWidget):
    """One titled image view with a crosshair.

    Its title is its accessible name; while it has the keyboard focus a frame in the
    palette's highlight colour runs round it.

    Parameters
    ----------
    title : str
        Shown above the image.
    """

    sigCursor = Signal(object)
    """Emitted with ``(row, col)`` while the mouse is over the image, None when it leaves."""
    _focus_frame = False  # drawn while the pane has the keyboard focus

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setBackground("k")
        self.title = PaneTitle(title, color="#ddd")
        self.setAccessibleName(title)
        self.setAccessibleDescription(PANE_DESCRIPTION)
        self.addItem(self.title, row=0, col=0)
        self.view = ImageViewBox()
        self.addItem(self.view, row=1, col=0)
        self.image_item = MinifyingImageItem()
        self._shown: tuple = (None, None, None, None)  # show_grey's grey, extent, lut, place
        self.zoom_limits = (0.0, math.inf)
        """The smallest and largest scale, screen pixels per image pixel, zoom may reach."""
        self.view.addItem(self.image_item)
        self.view.sigResized.connect(self._limit_zoom)
        self.vline = OutlinedLine(angle=90, pen=_CROSSHAIR_PEN)
        self.hline = OutlinedLine(angle=0, pen=_CROSSHAIR_PEN)
        for line in (self.vline, self.hline):
            line.setZValue(20)
            line.hide()
            self.view.addItem(line, ignoreBounds=True)
        self.scene().sigMouseMoved.connect(self._mouse_moved)

    def set_title(self, title: str) -> None:
        """Change the text above the image, and the pane's accessible name with it."""
        self.title.setText(title, color="#ddd")
        self.setAccessibleName(title)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        """Draw the focus frame."""
        super().focusInEvent(event)
        self._set_focus_frame(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        """Take the focus frame away."""
        super().focusOutEvent(event)
        self._set_focus_frame(False)

    def _set_focus_frame(self, shown: bool) -> None:
        if shown != self._focus_frame:
            self._focus_frame = shown
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Draw the scene, then the focus frame over its edge while the pane has the focus."""
        super().paintEvent(event)
        if not self._focus_frame:
            return
        painter = QPainter(self.viewport())
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), FOCUS_FRAME_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = FOCUS_FRAME_WIDTH / 2
        painter.drawRect(QRectF(self.viewport().rect()).adjusted(half, half, -half, -half))
        painter.end()

    def show_grey(
        self,
        grey: np.ndarray | None,
        *,
        extent: tuple[int, int] | None = None,
        lut=None,
        place: Place | None = None,
    ) -> None:
        """Show display grey levels; None clears the pane.

        Parameters
        ----------
        grey : ndarray or None
            Grey levels in [0, 1], shape (rows, cols).
        extent : tuple of int, optional
            ``(rows, cols)`` of the full image when `grey` is a downsampled copy or a
            part of it, so it covers the same area as the full-size panes.
        lut : ndarray, optional
            A colour lookup table (e.g. for the uncertainty map).
        place : tuple of float, optional
            Where `grey` lies in the image, ``(left, top, width, height)`` in image
            pixels, when it is a part of it (:meth:`~xraygui.visible.Part.cut`); by
            default it covers the whole `extent`.
        """
        shown = (grey, extent, lut, place)
        previous = self._shown
        if (
            grey is previous[0]
            and lut is previous[2]
            and (extent, place) == (previous[1], previous[3])
        ):
            return  # the same arrays (a cached residual, say): nothing to redraw
        self._shown = shown
        if grey is None:
            self.image_item.clear()
            return
        self.image_item.setImage(grey, autoLevels=False, levels=(0.0, 1.0), lut=lut)
        rows, cols = extent if extent is not None else grey.shape
        self.image_item.setRect(QRectF(*(place or (0, 0, cols, rows))))
        self._limit_zoom()

    def blocks(self) -> tuple[int, int]:
        """Return the rows and columns of image pixels one device pixel shows now.

        From the view's range and size, so right after a zoom, before it is drawn.
        (1, 1) at 1:1 and above, or when the pane is not shown. A caller may draw
        a minified copy of that many pixels per block (:func:`block_mean`), covering
        the image's ``extent``: the pane then draws it as it is.
        """
        (x0, x1), (y0, y1) = self.view.viewRange()
        ratio = self.devicePixelRatioF() or 1.0
        down = ratio * self.view.height() / (y1 - y0) if y1 > y0 else 0.0
        across = ratio * self.view.width() / (x1 - x0) if x1 > x0 else 0.0
        return blocks_for((down, across))

    @property
    def extent(self) -> tuple[int, int] | None:
        """``(rows, cols)`` of the image shown, in image pixels (None: nothing shown)."""
        grey, extent, _, _ = self._shown
        if grey is None:
            return None
        return extent if extent is not None else grey.shape

    def scale(self) -> float:
        """Return the screen pixels (logical) per image pixel the view shows now."""
        (x0, x1), _ = self.view.viewRange()
        return self.view.width() / (x1 - x0) if x1 > x0 else 1.0

    def _limit_zoom(self) -> None:
        """Bound zoom to what shows something: a tenth of Fit (at most 1:1) to a few pixels."""
        extent, width, height = self.extent, self.view.width(), self.view.height()
        if extent is None or width <= 0 or height <= 0:
            return
        rows, cols = extent
        fit = min(width / cols, height / rows)
        one_to_one = 1 / (self.devicePixelRatioF() or 1.0)
        lowest = min(fit / MAX_ZOOM_OUT, one_to_one)
        highest = max(min(width, height) / MIN_PIXELS_SHOWN, fit, one_to_one)
        self.zoom_limits = (lowest, highest)
        self.view.setLimits(
            minXRange=width / highest,
            maxXRange=width / lowest,
            minYRange=height / highest,
            maxYRange=height / lowest,
        )

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

    The divider snaps to the first column the After image is drawn from, so that every
    pixel left of it is the Before image's and every pixel right of it the After's.

    Parameters
    ----------
    pane : ImagePane
        The pane that shows the Before image.
    """

    def __init__(self, pane: ImagePane) -> None:
        self.pane = pane
        self.item = MinifyingImageItem()  # minified as the panes are
        self.item.setZValue(10)
        self.divider = OutlinedLine(angle=90, movable=True, pen=pg.mkPen("c", width=2))
        self.divider.setZValue(30)
        self.divider.sigPositionChanged.connect(self._update)
        self._grey: np.ndarray | None = None
        self._extent: tuple[int, int] = (0, 0)
        self._place: Place = (0, 0, 0, 0)  # where the grey levels lie in the image
        self.enabled = False

    def set_enabled(self, enabled: bool) -> None:
        """Add or remove the overlay and its divider; it comes on in the middle of the view."""
        if enabled == self.enabled:
            return
        self.enabled = enabled
        if enabled:
            self.pane.view.addItem(self.item)
            self.pane.view.addItem(self.divider, ignoreBounds=True)
            (x0, x1), _ = self.pane.view.viewRange()
            self.divider.setPos(round((x0 + x1) / 2))  # kept inside the image by its bounds
        else:
            self.pane.view.removeItem(self.item)
            self.pane.view.removeItem(self.divider)
        self._update()

    def set_grey(
        self, grey: np.ndarray | None, extent: tuple[int, int], place: Place | None = None
    ) -> None:
        """Set the After grey levels (possibly downsampled) covering ``extent`` = (rows, cols).

        `place` is where they lie, ``(left, top, width, height)`` in image pixels, when
        they are a part of the image (see :meth:`ImagePane.show_grey`); the divider still
        moves over the whole image. An image of another size gets the divider in its
        middle; it stays inside the image.
        """
        resized = extent != self._extent
        self._grey, self._extent = grey, extent
        self._place = place or (0, 0, extent[1], extent[0])
        if resized:
            self.divider.setBounds((0, extent[1]))
            self.divider.setPos(extent[1] / 2)
        self._update()

    @property
    def has_after(self) -> bool:
        """Whether there are After grey levels to show right of the divider."""
        return self._grey is not None

    @property
    def split(self) -> float:
        """Column of the divider, in image pixels: the After image is drawn from there on."""
        return float(self.divider.value())

    def move(self, columns: float) -> None:
        """Move the divider by `columns` image pixels (it stays inside the image)."""
        self.divider.setPos(self.split + columns)

    def _update(self) -> None:
        if not self.enabled or self._grey is None:
            self.item.clear()
            return
        left, top, width, height = self._place
        size = width / self._grey.shape[1]  # image columns per grey column
        columns = round(self._extent[1] / size)  # grey columns over the whole image
        first = int(np.clip(round(self.split / size), 0, columns))
        if self.split != first * size:
            self.divider.setPos(first * size)  # snapped: this runs again from there
            return
        offset = round(left / size)  # where the grey levels start, in those columns
        start = max(first, offset)  # the first column drawn (left of the part: not in sight)
        if start >= offset + self._grey.shape[1]:
            self.item.clear()
            return
        self.item.setImage(self._grey[:, start - offset :], autoLevels=False, levels=(0.0, 1.0))
        self.item.setRect(QRectF(start * size, top, left + width - start * size, height))


class ComparisonView(QWidget):
    """Side-by-side panes with linked zoom/pan and a shared crosshair.

    Window/level is shared by construction: the main window renders every pane
    with the same window. Right-drag in any pane emits :attr:`sigWindowDrag`;
    the arrow keys pan while a pane has keyboard focus.

    A change of layout (a pane shown or hidden, swipe, a dock or the window resized)
    keeps the scale and the centre of the view, or keeps the image fitted after Fit;
    so 1:1 stays 1:1.
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
        self.roi: pg.ROI | None = None
        """The region of interest in the Before pane, which Alt+arrows move (set by its owner)."""
        # What a change of layout keeps: (centre x, centre y, scale), or fitted after Fit.
        self._place: tuple[float, float, float] | None = None
        self._fitted = False
        self._laying_out = False  # panes are being resized: their ranges are not the user's
        self._before_title = TITLES["before"]
        self._inverted = False  # the panes show inverted grey levels
        for name in PANE_NAMES:
            pane = ImagePane(TITLES[name])
            self.panes[name] = pane
            # Equal stretch: a pane's size hint is its last size, so without it the panes
            # keep whatever widths they had before one was hidden or shown.
            layout.addWidget(pane, 1)
            pane.sigCursor.connect(lambda point, n=name: self._cursor(n, point))
            pane.view.sigWindowDrag.connect(self.sigWindowDrag)
            pane.view.sigResizing.connect(self._hold_place)
            pane.view.sigResized.connect(self._restore_place)
            if name != "before":
                pane.view.setXLink(self.panes["before"].view)
                pane.view.setYLink(self.panes["before"].view)
        before = self.panes["before"]
        before.view.sigRangeChanged.connect(self._remember_place)
        before.view.sigXRangeChanged.connect(self._swipe_title)
        self.swipe = SwipeOverlay(before)
        self.swipe.divider.sigPositionChanged.connect(self._swipe_title)
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
        self._swipe_title()

    def set_before_title(self, title: str) -> None:
        """Name what the Before pane shows, e.g. ``"Before: simulated 25 % dose (seed 3)"``.

        Parameters
        ----------
        title : str
            Its title while swipe is off; with swipe on, the title says which side of
            the divider is in sight, and still names what Before is.
        """
        self._before_title = title
        self._swipe_title()

    def set_inverted(self, inverted: bool) -> None:
        """Say in the Before pane's title whether its grey levels are shown inverted."""
        self._inverted = inverted
        self._swipe_title()

    def show_after(
        self, grey: np.ndarray | None, extent: tuple[int, int], place: Place | None = None
    ) -> None:
        """Give the swipe overlay the After grey levels (see :meth:`SwipeOverlay.set_grey`)."""
        self.swipe.set_grey(grey, extent, place)
        self._swipe_title()

    def _swipe_title(self) -> None:
        """Title the Before pane with what it shows: Before, After or both, with the divider."""
        before = self._before_title
        if not self.swipe.enabled:
            title = before
        elif not self.swipe.has_after:
            title = f"{before} (swipe: no After image yet)"
        else:
            (x0, x1), _ = self.panes["before"].view.viewRange()
            split = self.swipe.split
            if split <= x0:
                title = "After (the swipe divider is off to the left)"
            elif split >= x1:
                title = f"{before} (the swipe divider is off to the right)"
            else:
                title = f"{before} | After (drag the divider)"
        if self._inverted:
            title += " (inverted)"
        if self.panes["before"].title.text != title:
            self.panes["before"].set_title(title)

    def fit(self, *, shape: tuple[int, int] | None = None) -> None:
        """Zoom so the whole image fits the panes; it stays fitted as they change size.

        Parameters
        ----------
        shape : tuple of int, optional
            ``(rows, cols)`` of an image about to be shown, else the one shown.
            Keyword-only: a QAction's ``triggered(bool)`` connected here passes nothing.
        """
        pane = self.panes["before"]
        extent = shape if shape is not None else pane.extent
        if extent is not None:
            rows, cols = extent
            pane.view.setRange(QRectF(0, 0, cols, rows), padding=0.0)
            self._fitted = True

    def one_to_one(self) -> None:
        """Zoom so one image pixel covers one screen pixel, keeping the centre."""
        view = self.panes["before"].view
        (x0, x1), (y0, y1) = view.viewRange()
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        ratio = self.devicePixelRatioF() or 1.0
        w, h = view.width() * ratio, view.height() * ratio
        view.setRange(xRange=(cx - w / 2, cx + w / 2), yRange=(cy - h / 2, cy + h / 2), padding=0)

    def zoom(self, factor: float) -> None:
        """Magnify every pane by `factor` about the centre of the view (below 1 zooms out).

        Zoom stops at the Before pane's :attr:`ImagePane.zoom_limits`.
        """
        pane = self.panes["before"]
        scale = pane.scale()
        lowest, highest = pane.zoom_limits
        target = min(max(scale * factor, min(lowest, scale)), max(highest, scale))
        if target != scale:
            pane.view.scaleBy((scale / target, scale / target))

    def pan(self, right: float, down: float) -> None:
        """Move every pane's view by these shares of its width and height."""
        view = self.panes["before"].view
        (x0, x1), (y0, y1) = view.viewRange()
        view.translateBy(x=right * (x1 - x0), y=down * (y1 - y0))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Arrows pan, move the swipe divider (Shift) or the region of interest (Alt).

        Shift+Left and Shift+Right move the divider; Alt+arrows move the region and
        Alt+Shift+arrows resize it. A focused pane passes on the keys it does not use.
        """
        step = _PAN_KEYS.get(Qt.Key(event.key()))
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if step is None or not self._step(step, modifiers):
            super().keyPressEvent(event)
            return
        event.accept()

    def _step(self, step: tuple[int, int], modifiers: Qt.KeyboardModifier) -> bool:
        """Act on an arrow key `step` with `modifiers`; False if they do nothing here."""
        if modifiers == Qt.KeyboardModifier.NoModifier:
            self.pan(step[0] * PAN_STEP, step[1] * PAN_STEP)
            return True
        (x0, x1), (y0, y1) = self.panes["before"].view.viewRange()
        dx = step[0] * max(round(KEY_STEP * (x1 - x0)), 1)
        dy = step[1] * max(round(KEY_STEP * (y1 - y0)), 1)
        if modifiers == _SHIFT and self.swipe.enabled and dx:
            self.swipe.move(dx)
        elif modifiers == _ALT and self.roi is not None:
            self._move_roi(dx, dy)
        elif modifiers == _ALT | _SHIFT and self.roi is not None:
            size = self.roi.size()
            self.roi.setSize((max(size.x() + dx, 1), max(size.y() + dy, 1)))
        else:
            return False
        return True

    def _move_roi(self, dx: int, dy: int) -> None:
        """Move the region of interest, keeping it on the image where it fits there."""
        assert self.roi is not None
        pos, size = self.roi.pos(), self.roi.size()
        x, y = pos.x() + dx, pos.y() + dy
        extent = self.panes["before"].extent
        if extent is not None:
            rows, cols = extent
            x = min(max(x, 0), cols - size.x()) if size.x() <= cols else x
            y = min(max(y, 0), rows - size.y()) if size.y() <= rows else y
        self.roi.setPos((x, y))

    def _hold_place(self) -> None:
        """Keep the view's place while panes change size, until the layout settles."""
        if not self._laying_out:
            self._laying_out = True
            QTimer.singleShot(0, self, self._settle)  # not after the view is gone

    def _restore_place(self) -> None:
        """Give the Before view (the others follow it) the place it had before the layout."""
        if self._fitted:
            self.fit()
            return
        view = self.panes["before"].view
        width, height = view.width(), view.height()
        if self._place is None or width <= 0 or height <= 0:
            return
        cx, cy, scale = self._place
        half_x, half_y = width / scale / 2, height / scale / 2
        view.setRange(
            xRange=(cx - half_x, cx + half_x), yRange=(cy - half_y, cy + half_y), padding=0
        )

    def _settle(self) -> None:
        self._restore_place()
        self._laying_out = False

    def _remember_place(self) -> None:
        """Note the centre and scale of the Before view, after a change the user made."""
        if self._laying_out:
            return
        view = self.panes["before"].view
        (x0, x1), (y0, y1) = view.viewRange()
        if view.width() <= 0 or x1 <= x0:
            return
        self._place = ((x0 + x1) / 2, (y0 + y1) / 2, view.width() / (x1 - x0))
        self._fitted = False

    def _cursor(self, name: str, point: tuple[float, float] | None) -> None:
        for pane in self.panes.values():
            pane.set_crosshair(point)
        self.sigCursor.emit(None if point is None else (name, *point))
