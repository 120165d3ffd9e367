"""The strength and tile fields step, refuse and restore as their tooltips and the CLI say.

A review found: stepping the strength down reached 2.2e-308 ("never to 0"); the tile
arrows stepped 500 to 516, 532..., none a size multiple; Denoise ran with the last
values taken while a field showed a refused one in red, without a word; the tile's
range said 65,536 in German (65.536 there); a bad saved tile lost the seed, samples,
precision and views saved after it; a saved ``cuda:1`` became auto, unsaid, on a
machine with one GPU; "AUTO" typed in the tile field was refused key by key.
"""

import pytest
import torch
from PySide6.QtCore import QLocale, QSettings, Qt

from xraygui.controls import ControlPanel

pytestmark = pytest.mark.gui

TILE_RANGE = "Auto, or a whole number from 256 to 65,536 px"


def _panel(qtbot):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _type(qtbot, field, text, *, enter=True):
    """Type ``text`` as the whole of ``field``'s text (and press Enter); return its text."""
    field.setFocus()
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), text)
    if enter:
        qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Return)
    return field.lineEdit().text()


@pytest.mark.parametrize(
    ("value", "key", "after"),
    [
        (0.5, Qt.Key.Key_PageDown, 0.1),  # 10 steps down: was 2.2e-308
        (0.10000000000000002, Qt.Key.Key_Down, 0.1),  # was 1.4e-17
        (0.15, Qt.Key.Key_Down, 0.1),  # 0.05 is half a step: the step instead
        (0.16, Qt.Key.Key_Down, 0.06),
        (0.06, Qt.Key.Key_Down, 0.06),  # at or below the step: not stepped down
        (0.5, Qt.Key.Key_Down, 0.4),
    ],
)
def test_stepping_the_strength_down_never_nears_0(qtbot, value, key, after):
    panel = _panel(qtbot)
    panel.strength.setValue(value)
    panel.strength.setFocus()
    qtbot.keyClick(panel.strength, key)
    assert panel.strength.value() == after
    assert panel.strength.hasAcceptableInput()


@pytest.mark.parametrize("red", ["0", "-1"])
def test_red_strength_text_steps_down_to_no_strength_near_0(qtbot, red):
    panel = _panel(qtbot)
    shown = _type(qtbot, panel.strength, red)
    assert red in shown and not panel.strength.hasAcceptableInput()
    panel.strength.stepBy(-1)  # was 2.2e-308: the red text was clamped to the minimum first
    assert panel.strength.text() == shown and panel.options().strength == 1.0
    panel.strength.stepBy(1)
    assert panel.strength.text() == "x 0.10" and panel.options().strength == 0.1


@pytest.mark.parametrize(
    ("typed", "steps", "shown"),
    [
        ("500", 1, "512 px"),  # was 516
        ("500", -1, "496 px"),  # was 484
        ("500", 10, "656 px"),  # Page Up
        ("512", 1, "528 px"),
        ("256", -1, "Auto"),
        ("300.5", 1, "304 px"),  # red text steps from the number it shows
        ("100", 1, "256 px"),
        ("100", -1, "Auto"),
        ("70000", -1, "65520 px"),  # from the largest, as red text is clamped
    ],
)
def test_the_tile_arrows_step_to_multiples_of_the_size_multiple(qtbot, typed, steps, shown):
    panel = _panel(qtbot)
    _type(qtbot, panel.tile, typed)
    panel.tile.stepBy(steps)
    assert panel.tile.text() == shown and panel.tile.hasAcceptableInput()


def test_auto_in_capitals_and_a_huge_number_are_typed_in_the_tile_field(qtbot):
    panel = _panel(qtbot)
    panel.tile.set_tile_size(512)
    assert _type(qtbot, panel.tile, "AUTO") == "Auto"  # was "A px": "AU" refused
    assert panel.options().tile_size is None
    assert _type(qtbot, panel.tile, "1e999") == "1e999 px"  # int(inf) raised in validate
    assert not panel.tile.hasAcceptableInput()


def test_the_tile_range_is_grouped_as_the_locale_groups(qtbot):
    panel = _panel(qtbot)
    assert panel.tile.range_text() == TILE_RANGE
    panel.tile.setLocale(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert panel.tile.range_text() == "Auto, or a whole number from 256 to 65.536 px"


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("tile", "300.5", f"Tile size: 300.5 px is not taken; enter {TILE_RANGE}"),
        ("strength", "0", "Strength: x 0 is not taken; enter a number above 0"),
    ],
)
def test_denoise_refuses_a_field_showing_red_text_and_names_it(
    window, qtbot, small_dicom, dialogs, field, typed, said
):
    window.open_file(small_dicom)
    _type(qtbot, getattr(window.controls, field), typed)
    assert window.start_denoise() is None  # ran with the last values taken, unsaid
    assert dialogs == [("critical", "Settings not taken", said)]
    assert window.worker is None and window.result is None


def test_a_batch_refuses_a_field_showing_red_text(window, qtbot, tmp_path, dialogs):
    _type(qtbot, window.controls.tile, "100", enter=False)  # Ctrl+D leaves the focus there
    assert window.start_batch(tmp_path, tmp_path / "out") is None
    assert dialogs == [
        ("critical", "Settings not taken", f"Tile size: 100 px is not taken; enter {TILE_RANGE}")
    ]
    assert window.worker is None and not (tmp_path / "out").exists()


@pytest.mark.parametrize("tile", ["512.0", "100", "big"])
def test_a_bad_saved_tile_keeps_auto_and_the_other_settings(qtbot, tmp_path, tile):
    store = QSettings(str(tmp_path / "bad.ini"), QSettings.Format.IniFormat)
    first = _panel(qtbot)
    first.seed.setValue(42)
    first.samples.setValue(3)
    first.precision.setCurrentIndex(first.precision.findData("float32"))
    first.views.setCurrentIndex(first.views.findData(8))
    first.strength.setValue(1.25)
    first.save(store)
    store.setValue("denoise/tile_size", tile)  # hand-edited
    store.setValue("denoise/n_steps", "many")
    second = _panel(qtbot)
    second.restore(store)
    options = second.options()
    assert options.tile_size is None and second.tile.hasAcceptableInput()
    assert (options.seed, options.n_uncertainty_samples) == (42, 3)
    assert (options.precision, options.views, options.strength) == ("float32", 8, 1.25)
    assert options.n_steps == 1  # its default


@pytest.mark.parametrize("strength", ["0", "-1", "nan", "inf"])
def test_a_saved_strength_the_field_does_not_take_keeps_the_default(qtbot, tmp_path, strength):
    store = QSettings(str(tmp_path / "bad.ini"), QSettings.Format.IniFormat)
    store.setValue("denoise/strength", strength)  # was clamped: "0" restored 2.2e-308
    panel = _panel(qtbot)
    panel.restore(store)
    assert panel.options().strength == 1.0


def test_a_saved_gpu_this_machine_lacks_stays_chosen_and_is_said(qtbot, tmp_path, monkeypatch):
    store = QSettings(str(tmp_path / "gpu.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    first = _panel(qtbot)
    first.device.setCurrentText("cuda:1")
    first.save(store)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    second = _panel(qtbot)
    second.restore(store)
    assert second.options().device == "cuda:1"  # was auto, without a word
    assert "cuda:1" in second.status.text() and "not on this machine" in second.status.text()
    index = second.device.currentIndex()
    assert "Not on this machine" in second.device.itemData(index, Qt.ItemDataRole.ToolTipRole)
    second.save(store)
    assert store.value("denoise/device") == "cuda:1"  # kept for the machine it was chosen on


def test_a_saved_gpu_this_machine_has_is_chosen_without_a_word(qtbot, tmp_path, monkeypatch):
    store = QSettings(str(tmp_path / "gpu.ini"), QSettings.Format.IniFormat)
    store.setValue("denoise/device", "cuda:0")  # saved where there were two
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    panel = _panel(qtbot)
    panel.restore(store)
    assert panel.options().device == "cuda:0"
    assert "cuda:0" not in panel.status.text()


def test_red_text_is_named_while_the_whole_panel_is_disabled(qtbot):
    panel = _panel(qtbot)
    _type(qtbot, panel.tile, "300.5")
    panel.setEnabled(False)  # the fields themselves stay enabled: still not taken
    assert panel.not_taken().startswith("Tile size: 300.5 px is not taken")
