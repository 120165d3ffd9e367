"""A run folder of a very long name wraps on the Data page instead of widening the wizard.

Qt wraps a label only where a line may break: a 200-character folder name in the line of
an unreadable run made the label, and so the wizard, about 1500 px wide.
"""

import pytest

from xraygui.wizard.data_page import _unreadable_label, breakable
from xraygui.wizard.runs import RunSpec, UnreadableRun, write_run
from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui


def test_the_line_of_a_long_name_is_narrow(qtbot, tmp_path):
    folder = tmp_path / ("run-" + "x" * 200)
    folder.mkdir()
    label = _unreadable_label([UnreadableRun(folder, "not a run file of xray-denoise")])
    qtbot.addWidget(label)
    assert label.minimumSizeHint().width() < 500
    assert "x" * 200 in label.toolTip()  # the tooltip names it whole


def test_breakable_reads_the_same():
    text = "Run folder " + "x" * 100 + " at /a/b/" + "y" * 45
    assert breakable(text).replace("\u200b", "") == text
    assert max(len(part) for part in breakable("z" * 100).split("\u200b")) == 40


def test_the_offer_of_a_run_of_a_long_name_is_narrow(qtbot, tmp_path):
    folder = tmp_path / "runs" / ("20260101-093000-" + "d" * 160)
    folder.mkdir(parents=True)
    spec = RunSpec(data=tmp_path / "data", folder=folder, steps=4, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    spec.config.checkpoint_path.write_bytes(b"checkpoint")
    write_run(spec, "paused")
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    assert folder.name in wizard.data_page.resume_label.text().replace("\u200b", "")
    assert wizard.data_page.resume_label.minimumSizeHint().width() < 500
