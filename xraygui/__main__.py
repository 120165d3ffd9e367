"""Start the xray-denoise desktop application: ``xraygui [FILE]``."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtWidgets import QApplication

from core import __version__
from core.resources import sample_image_path
from xraygui.main_window import MainWindow


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line of the app."""
    parser = argparse.ArgumentParser(
        prog="xraygui", description="Denoise low-dose X-ray images. Not for diagnostic use."
    )
    parser.add_argument("file", nargs="?", help="image to open (default: the bundled sample)")
    parser.add_argument("--version", action="version", version=f"xraygui {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Open the main window on FILE, or on the bundled synthetic sample."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("xraygui")
    app.setOrganizationName("xray-denoise")
    window = MainWindow()
    window.show()
    window.open_file(args.file or sample_image_path())
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
