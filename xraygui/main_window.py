"""The main window: one image view, File > Open, a status bar, the diagnostic-use banner."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from core import __version__
from core.display import to_display
from core.errors import XrayError
from core.image import XrayImage
from core.io import read_image

NOT_FOR_DIAGNOSTIC_USE = "Not for diagnostic use"
OPEN_FILTER = "Images (*.dcm *.dicom *.png *.tif *.tiff *.npy);;All files (*)"


class MainWindow(QMainWindow):
    """Top-level window of the app; shows one image with its default display window."""

    def __init__(self) -> None:
        super().__init__()
        self.image: XrayImage | None = None
        self.setWindowTitle(f"xraygui {__version__} - {NOT_FOR_DIAGNOSTIC_USE}")
        self.resize(1100, 800)

        self.view = pg.ImageView()
        self.view.ui.roiBtn.hide()
        self.view.ui.menuBtn.hide()
        banner = QLabel(NOT_FOR_DIAGNOSTIC_USE)
        banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        banner.setStyleSheet("background: #7a1f1f; color: white; font-weight: bold; padding: 2px;")

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(banner)
        layout.addWidget(self.view)
        self.setCentralWidget(central)

        open_action = QAction("&Open...", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.choose_file)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(open_action)
        file_menu.addAction(quit_action)

    def choose_file(self) -> None:
        """Ask for an image file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", OPEN_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Read ``path`` and show it; on bad input show the one-line reason in a dialog.

        Parameters
        ----------
        path : str or Path
            Image file (DICOM, PNG, TIFF, ``.npy``).

        Returns
        -------
        bool
            True if the image is now shown.
        """
        try:
            image = read_image(path)
        except XrayError as error:
            QMessageBox.critical(self, "Cannot open image", str(error))
            return False
        self.image = image
        # pyqtgraph's ImageView takes (x, y) order: transpose rows/cols for display.
        self.view.setImage(to_display(image).T, autoLevels=False, levels=(0.0, 1.0))
        rows, cols = image.shape
        self.statusBar().showMessage(
            f"{Path(path).name}  |  {cols} x {rows} px  |  {image.photometric}"
        )
        return True
