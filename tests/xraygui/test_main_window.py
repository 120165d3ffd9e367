import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from core.resources import sample_image_path  # noqa: E402
from xraygui.main_window import NOT_FOR_DIAGNOSTIC_USE, MainWindow  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def test_opens_the_bundled_sample_and_shows_it(window):
    assert window.open_file(sample_image_path())
    shown = window.view.getImageItem().image
    assert shown.shape == window.image.shape[::-1]
    assert 0.0 <= shown.min() < shown.max() <= 1.0
    assert NOT_FOR_DIAGNOSTIC_USE in window.windowTitle()


def test_a_corrupt_file_gives_a_one_line_error_dialog(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    corrupt = tmp_path / "broken.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    assert not window.open_file(corrupt)
    assert len(shown) == 1
    assert "broken.png" in shown[0]
    assert "\n" not in shown[0]
    assert window.image is None


def test_npy_image_is_shown_with_its_full_range(window, tmp_path):
    path = tmp_path / "ramp.npy"
    np.save(path, np.tile(np.linspace(0, 1, 50, dtype=np.float32), (40, 1)))
    assert window.open_file(path)
    assert window.image.shape == (40, 50)
