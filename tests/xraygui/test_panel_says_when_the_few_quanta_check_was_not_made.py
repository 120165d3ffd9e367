"""Where no log detector is recognised in an image's noise, the panel says under the result
that the few-quanta check was not made, in the words of the report.

The 96 px phantom is too small for its noise to tell the quanta behind it.
"""

import pytest

from core.denoise.low_quanta import QUANTA_NOT_CHECKED

pytestmark = pytest.mark.gui


def test_the_panel_says_the_check_was_not_made(window, denoise_quickly, small_dicom, dialogs):
    assert window.open_file(small_dicom)
    denoise_quickly(window)
    assert not window.result.quanta_checked and window.result.low_quanta is None
    warning = window.controls.warning
    assert warning.isVisible()
    assert warning.text() == f"Few-quanta check: {QUANTA_NOT_CHECKED}."
    assert dialogs == []
