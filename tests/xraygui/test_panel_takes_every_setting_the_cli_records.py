"""The denoise panel takes every setting ``xray-denoise denoise`` records, so a run repeats.

The strength field had 2 decimals within 0.1-5, while ``--strength`` takes any number above
0 and outputs record it in full (``strength 1.2345678``): 1.234 became 1.23, 0.05 could not
be entered. The panel had no tile field, while ``--tile-size`` changes the result and
outputs record the tile. ``--device cuda:N`` had no choice either.
"""

import pytest
import torch
from PySide6.QtCore import QSettings, Qt

from core.denoise import DenoiseSettings
from core.denoise.tiling import size_multiple
from xraygui.controls import ControlPanel
from xraygui.jobs import cached_model, denoise_settings

pytestmark = pytest.mark.gui


def _panel(qtbot):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _enter(qtbot, field, text):
    """Type ``text`` in ``field`` (its whole text) and press Enter; return what it shows."""
    field.setFocus()
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)
    qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Return)
    return field.lineEdit().text()


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1.234", "x 1.234"),
        ("0.05", "x 0.05"),
        ("1.2345678", "x 1.2345678"),
        ("0.30000000000000004", "x 0.30000000000000004"),
        ("7.5", "x 7.50"),
        ("1e-05", "x 1e-05"),
    ],
)
def test_a_typed_strength_reaches_the_settings_exactly(qtbot, typed, shown):
    panel = _panel(qtbot)
    assert _enter(qtbot, panel.strength, f"x {typed}") == shown
    settings = denoise_settings(panel.options())
    assert settings.strength == float(typed)
    assert f"strength {typed}" in settings.describe()  # as an output records it


def test_a_typed_tile_reaches_the_settings(qtbot):
    panel = _panel(qtbot)
    assert panel.tile.text() == "Auto" and denoise_settings(panel.options()).tile_size is None
    assert _enter(qtbot, panel.tile, "512") == "512 px"
    assert denoise_settings(panel.options()).tile_size == 512
    assert _enter(qtbot, panel.tile, "Auto") == "Auto"
    assert denoise_settings(panel.options()).tile_size is None


def test_a_typed_value_not_yet_entered_is_the_one_used(qtbot):
    panel = _panel(qtbot)
    for field, text in ((panel.strength, "x 1.234"), (panel.tile, "768 px")):
        field.setFocus()
        field.lineEdit().selectAll()
        qtbot.keyClicks(field.lineEdit(), text)  # no Enter: Ctrl+D leaves the focus there
    options = panel.options()
    assert options.strength == 1.234 and options.tile_size == 768


@pytest.mark.parametrize(
    ("field", "typed", "what"),
    [
        ("strength", "x 0", "a number above 0"),
        ("strength", "x -1", "a number above 0"),
        ("strength", "x 1e999", "a number above 0"),
        ("tile", "100", "Auto, or a whole number from 256 to 65,536 px"),
        ("tile", "300.5", "Auto, or a whole number from 256 to 65,536 px"),
        ("tile", "70000", "Auto, or a whole number from 256 to 65,536 px"),
        ("tile", "Au", "Auto, or a whole number from 256 to 65,536 px"),
    ],
)
def test_a_value_core_refuses_is_kept_red_and_not_taken(qtbot, field, typed, what):
    panel = _panel(qtbot)
    box = getattr(panel, field)
    before = panel.options()
    assert typed.removeprefix("x ") in _enter(qtbot, box, typed)  # kept, for correcting
    assert not box.hasAcceptableInput()
    assert box.accessibleDescription() == f"Not taken: enter {what}"
    assert panel.options() == before


def test_strength_and_tile_survive_save_and_restore(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    first = _panel(qtbot)
    first.strength.setValue(0.1 + 0.2)  # 0.30000000000000004: 17 digits
    first.tile.set_tile_size(1024)
    first.save(store)
    store.sync()
    second = _panel(qtbot)
    second.restore(QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat))
    options = second.options()
    assert options.strength == 0.1 + 0.2 and options.tile_size == 1024
    second.tile.set_tile_size(None)
    second.save(store)
    third = _panel(qtbot)
    third.tile.set_tile_size(512)
    third.restore(store)
    assert third.options().tile_size is None


def test_a_strength_saved_by_an_older_version_is_restored(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    store.setValue("denoise/strength", 1.25)  # a float, as versions before saved it
    panel = _panel(qtbot)
    panel.restore(store)
    assert panel.options().strength == 1.25 and panel.options().tile_size is None


def test_a_bad_saved_tile_keeps_auto(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "bad.ini"), QSettings.Format.IniFormat)
    store.setValue("denoise/tile_size", "big")
    panel = _panel(qtbot)
    panel.restore(store)
    assert panel.options().tile_size is None


def test_the_arrows_step_to_round_strengths_and_from_auto_to_the_smallest_tile(qtbot):
    panel = _panel(qtbot)
    panel.strength.setValue(1.1)
    panel.strength.stepBy(1)
    assert panel.strength.value() == 1.2 and panel.strength.text() == "x 1.20"
    panel.strength.setValue(0.1)
    assert not panel.strength.stepEnabled() & panel.strength.StepEnabledFlag.StepDownEnabled
    panel.tile.stepBy(1)
    assert panel.tile.tile_size() == 256  # the smallest tile core takes (4 x the overlap)
    panel.tile.stepBy(1)
    assert panel.tile.tile_size() == 272  # the shipped network's size multiple, 16
    panel.tile.stepBy(-2)
    assert panel.tile.tile_size() is None and panel.tile.text() == "Auto"


def test_the_tile_field_is_named_and_says_what_it_does(qtbot):
    panel = _panel(qtbot)
    assert panel.tile.accessibleName() == "Tile size"
    tip = panel.tile.toolTip()
    assert "memory" in tip and "320 px" in tip and "--tile-size" in tip
    assert "Auto" in tip and "multiple" in tip


def test_each_of_several_gpus_can_be_chosen(qtbot, monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    panel = _panel(qtbot)
    panel.device.setCurrentText("cuda:1")
    assert denoise_settings(panel.options()).device == "cuda:1"


def test_one_gpu_is_not_listed_by_index(qtbot, monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    panel = _panel(qtbot)
    items = [panel.device.itemText(i) for i in range(panel.device.count())]
    assert items == ["auto", "cpu", "cuda", "mps"]


def test_a_denoise_with_a_tile_runs_on_it(window, qtbot, small_dicom):
    window.open_file(small_dicom)
    window.controls.tile.set_tile_size(256)
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    assert window.result.tile_sizes == (256,)
    assert window.result.settings.tile_size == 256


def test_a_tile_the_network_cannot_take_is_refused_naming_the_nearest(
    window, qtbot, small_dicom, dialogs
):
    window.open_file(small_dicom)
    multiple = size_multiple(cached_model(window.controls.options().model))
    assert multiple > 1  # the test model's (16 for the shipped one, where 500 is refused)
    tile = 256 + multiple + 1
    assert _enter(qtbot, window.controls.tile, str(tile)) == f"{tile} px"  # the field takes it
    worker = window.start_denoise()
    with qtbot.waitSignals([worker.errored, worker.finished], order="strict", timeout=30000):
        pass
    kind, _, text = dialogs[-1]
    nearest = f"{256 + multiple} or {256 + 2 * multiple}"
    assert kind == "critical" and nearest in text and "\n" not in text
    assert window.result is None


def test_the_smallest_tile_is_the_one_core_takes():
    DenoiseSettings(tile_size=256)
    with pytest.raises(ValueError, match="4 x tile_overlap"):
        DenoiseSettings(tile_size=240)
