"""Region of Interest switched on before any image is open appears once one opens."""

import pytest

pytestmark = pytest.mark.gui


def test_the_region_follows_its_menu_check_when_an_image_opens(window, small_dicom, settle):
    window.roi_action.setChecked(True)
    assert window.roi is None  # nothing to put it on yet
    window.open_file(small_dicom)
    settle(window)
    assert window.roi_action.isChecked()
    assert window.roi is not None and window.views.roi is window.roi
    assert window.region() is not None
    window.roi_action.setChecked(False)
    window.open_file(small_dicom)
    assert window.roi is None
