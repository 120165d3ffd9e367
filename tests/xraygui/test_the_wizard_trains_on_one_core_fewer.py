"""The wizard's training leaves one core to the app (the user guide's promise)."""

import pytest

import xraygui.wizard.wizard
from xraygui.wizard.process import training_command

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(("cores", "threads"), [(8, 7), (2, 1), (1, 1)])
def test_a_run_trains_on_the_usable_cores_but_one(
    window, qtbot, tmp_path, monkeypatch, cores, threads
):
    monkeypatch.setattr(xraygui.wizard.wizard, "usable_cores", lambda: cores)
    wizard = window.open_train_wizard()
    qtbot.addWidget(wizard)
    spec = wizard.spec(tmp_path / "run")
    assert spec.threads == threads
    _, arguments = training_command(spec, resume=False)
    assert arguments[arguments.index("--threads") + 1] == str(threads)
