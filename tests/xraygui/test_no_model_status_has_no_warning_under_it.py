"""When the panel's status line says that no model is installed, no result's warning is left
under it."""

import pytest

from xraygui.controls import ControlPanel

pytestmark = pytest.mark.gui


def test_no_model_installed_hides_the_warning_of_a_result(qtbot):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_warning("Warning: under 5 X-ray quanta per pixel in about 20 % of the image.")
    assert panel.warning.isVisible()
    panel.set_models([])
    assert panel.status.text() == "No model installed: Denoise is disabled."
    assert not panel.warning.isVisible()
