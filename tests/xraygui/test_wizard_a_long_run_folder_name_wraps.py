"""A run folder of a very long name wraps on the Data page instead of widening the wizard.

Qt wraps a label only where a line may break: a 200-character folder name in the line of
an unreadable run made the label, and so the wizard, about 1500 px wide.
"""

import pytest

from xraygui.wizard.data_page import _unreadable_label, breakable
from xraygui.wizard.runs import UnreadableRun

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
