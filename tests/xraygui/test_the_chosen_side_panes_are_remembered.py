"""The Residual and Uncertainty panes chosen in one session are shown in the next.

The dock layout was remembered, the panes chosen in the View menu were not. They come
back with the session's first result: shown empty at start, three black panes crowded
the Before pane to a quarter of the window.
"""

import pytest

pytestmark = pytest.mark.gui


def _denoise(qtbot, window):
    window.controls.samples.setValue(2)
    window.controls.steps.setValue(2)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
        pass


@pytest.mark.parametrize("residual, uncertainty", [(True, False), (False, True), (True, True)])
def test_the_side_panes_come_back_with_the_first_result(
    window_on, settings, qtbot, small_dicom, residual, uncertainty
):
    first = window_on(settings)
    assert not first.residual_action.isChecked() and not first.uncertainty_action.isChecked()
    first.residual_action.setChecked(residual)
    first.uncertainty_action.setChecked(uncertainty)
    first.close()
    second = window_on(settings)
    second.show()
    assert second.open_file(small_dicom)
    assert not second.views.panes["residual"].isVisible()  # nothing to show yet
    assert not second.views.panes["uncertainty"].isVisible()
    _denoise(qtbot, second)
    assert second.residual_action.isChecked() is residual
    assert second.uncertainty_action.isChecked() is uncertainty
    assert second.views.panes["residual"].isVisible() is residual
    assert second.views.panes["uncertainty"].isVisible() is uncertainty


def test_panes_remembered_stay_remembered_through_a_session_without_a_result(window_on, settings):
    first = window_on(settings)
    first.residual_action.setChecked(True)
    first.close()
    window_on(settings).close()  # no result: the choice is kept, not lost
    third = window_on(settings)
    assert third._panes_waiting == {"panes/residual"}


def test_panes_switched_off_stay_off(window_on, settings, qtbot, small_dicom):
    first = window_on(settings)
    first.residual_action.setChecked(True)
    first.close()
    second = window_on(settings)
    second.residual_action.setChecked(True)  # chosen again, then off: the user's last word
    second.residual_action.setChecked(False)
    assert second.open_file(small_dicom)
    _denoise(qtbot, second)
    assert not second.residual_action.isChecked()
    second.close()
    assert not window_on(settings)._panes_waiting
