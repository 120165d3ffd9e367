"""Invert (I) holds for the image it was chosen on and the pane titles say so; the next
image opens in its own photometric default."""

import pytest

pytestmark = pytest.mark.gui


def _titles(window):
    return [window.views.panes[name].title.text for name in ("before", "after")]


def test_invert_is_named_and_does_not_carry_to_the_next_image(
    window, denoise_quickly, small_dicom, monochrome1_dicom
):
    assert window.open_file(small_dicom)
    denoise_quickly(window)
    window.invert_action.setChecked(True)
    assert window.invert
    assert all(title.endswith(" (inverted)") for title in _titles(window)), _titles(window)
    assert window.open_file(monochrome1_dicom)
    assert not window.invert and not window.invert_action.isChecked()
    assert not any("inverted" in title for title in _titles(window)), _titles(window)
    assert "inverted" not in window.window_label.text()


def test_another_frame_of_the_same_file_keeps_invert(window, three_frame_dicom):
    assert window.open_file(three_frame_dicom)
    window.invert_action.setChecked(True)
    window.frame_box.setValue(2)  # the frame box, as a user steps through the frames
    assert window.source.frame == 1
    assert window.invert and window.invert_action.isChecked()
    assert _titles(window)[0].endswith(" (inverted)"), _titles(window)
