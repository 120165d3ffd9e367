"""What a screen reader says for each field, list and image view: a name, not nothing.

The strength field, the slider, the frame field, the image panes, the metrics table, the
tag search and the trees had no name, nor the progress bar; the model, sampler, views,
device and precision lists and the timeline's mode and x0 / x_t lists only their entry, the
load button "...". In the Train wizard the training length fields (labelled by radio buttons), the
data folder (a placeholder only), the model name and the result tables had none.
"""

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QToolButton

from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui


def _name(widget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def _labelled_by(widget) -> list[str]:
    interface = QAccessible.queryAccessibleInterface(widget)
    relations = interface.relations(QAccessible.RelationFlag.Label)
    return [label.text(QAccessible.Text.Name) for label, _ in relations]


def test_the_denoise_panel_names_its_fields(window):
    controls = window.controls
    assert _name(controls.strength) == "Strength"
    assert "Strength" in _labelled_by(controls.strength)
    # A list box's name is its entry on Linux, where the label's relation names it.
    assert controls.model.accessibleName() == "Model"
    assert "Model" in _labelled_by(controls.model)
    (load,) = [b for b in controls.findChildren(QToolButton) if b.text() == "..."]
    assert _name(load) == "Load model file"


def test_the_slider_is_named_for_what_it_sets_in_each_mode(window):
    slider = window.timeline.slider
    assert _name(slider) == "Denoising step"
    window.timeline.set_mode("forward")
    assert _name(slider) == "Forward process time t"
    window.timeline.set_mode("demo")
    assert _name(slider) == "Generated image step"
    window.timeline.set_mode("reverse")
    assert _name(slider) == "Denoising step"


def test_the_panels_list_boxes_and_progress_bar_are_named(window):
    """Named for what they choose: a list box's own name, as the Model list has one."""
    controls, timeline = window.controls, window.timeline
    for widget, name in (
        (controls.sampler, "Sampler"),
        (controls.views, "Views"),
        (controls.device, "Device"),
        (controls.precision, "Precision"),
        (timeline.mode, "Timeline mode"),
        (timeline.show_x0, "Timeline image: x0 or x_t"),
    ):
        assert widget.accessibleName() == name
    assert _name(controls.progress) == "Job progress"


def test_the_frame_field_the_table_and_the_lists_are_named(window):
    assert _name(window.frame_box) == "Frame"
    for widget in (window.metrics.table, window.tags.search, window.tags.tree, window.browser.tree):
        assert _name(widget), widget


def test_each_pane_is_named_by_its_title(window):
    for name, pane in window.views.panes.items():
        assert _name(pane) == pane.title.text, name
    window.views.panes["after"].set_title("After: step 3/10")
    assert _name(window.views.panes["after"]) == "After: step 3/10"


def test_the_wizard_names_its_fields_and_tables(qtbot, tmp_path):
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    training, result = wizard.training_page, wizard.result_page
    assert _name(training.minutes) == "Time budget"
    assert _name(training.steps) == "Number of steps"
    assert _name(wizard.data_page.folder) == "Training folder"
    assert _name(result.name) == "Model name"
    assert "Name:" in _labelled_by(result.name)
    assert _name(result.table) and _name(result.dose_table)
    assert _name(result.table) != _name(result.dose_table)
