"""The Residual and Uncertainty panes chosen in one session are shown in the next.

The dock layout was remembered, the panes chosen in the View menu were not.
"""

import pytest

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("residual, uncertainty", [(True, False), (False, True), (True, True)])
def test_the_side_panes_come_back_as_they_were_left(window_on, settings, residual, uncertainty):
    first = window_on(settings)
    assert not first.residual_action.isChecked() and not first.uncertainty_action.isChecked()
    first.residual_action.setChecked(residual)
    first.uncertainty_action.setChecked(uncertainty)
    first.close()
    second = window_on(settings)
    second.show()
    assert second.residual_action.isChecked() is residual
    assert second.uncertainty_action.isChecked() is uncertainty
    assert second.views.panes["residual"].isVisible() is residual
    assert second.views.panes["uncertainty"].isVisible() is uncertainty


def test_panes_switched_off_stay_off(window_on, settings):
    first = window_on(settings)
    first.residual_action.setChecked(True)
    first.close()
    second = window_on(settings)
    second.residual_action.setChecked(False)
    second.close()
    assert not window_on(settings).residual_action.isChecked()
