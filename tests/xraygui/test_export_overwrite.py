"""Export Denoised Image never replaces a file the user was not asked about."""

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from xraygui.main_window import EXPORT_SUFFIXES

pytestmark = pytest.mark.gui

EARLIER = b"an earlier result, not to be lost\n"
YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


@pytest.fixture
def typed(window, denoise_quickly, small_dicom, tmp_path, monkeypatch):
    """A denoised image, and a dialog that returns ``victim`` (no extension) as DICOM."""
    window.open_file(small_dicom)
    denoise_quickly(window)
    dicom_filter = next(f for f, suffix in EXPORT_SUFFIXES.items() if suffix == ".dcm")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "victim"), dicom_filter)
    )
    return tmp_path / "victim.dcm"


def _answer(monkeypatch, answer):
    """Answer every question with `answer`; return the (text, default button) of each."""
    asked = []

    def question(parent, title, text, buttons, default):
        asked.append((text, default))
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_an_existing_file_behind_a_name_typed_without_extension_is_kept_on_no(
    window, typed, monkeypatch
):
    asked = _answer(monkeypatch, NO)
    typed.write_bytes(EARLIER)
    window.choose_export_image()
    assert len(asked) == 1
    text, default = asked[0]
    assert "victim.dcm" in text and default == NO
    assert typed.read_bytes() == EARLIER


def test_an_existing_file_behind_a_name_typed_without_extension_is_replaced_on_yes(
    window, typed, monkeypatch
):
    asked = _answer(monkeypatch, YES)
    typed.write_bytes(EARLIER)
    window.choose_export_image()
    assert len(asked) == 1
    assert typed.read_bytes()[128:132] == b"DICM"


def test_a_new_file_is_written_without_a_question(window, typed, monkeypatch):
    asked = _answer(monkeypatch, NO)
    window.choose_export_image()
    assert asked == [] and typed.read_bytes()[128:132] == b"DICM"
