"""Tab leaves a table with rows: the Metrics table and the wizard's result tables.

A QTableWidget moves Tab from cell to cell by default, so once the Metrics table (or the
Train wizard's validation tables) had rows, Tab went round inside it and never reached the
next control: a keyboard trap.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidgetItem

from xraygui.wizard.wizard import RESULT, TrainWizard

pytestmark = pytest.mark.gui


def _fill(table, rows=2):
    table.setRowCount(rows)
    for row in range(rows):
        for column in range(table.columnCount()):
            table.setItem(row, column, QTableWidgetItem(f"{row},{column}"))


def test_tab_from_the_denoise_button_passes_the_metrics_table(window, qtbot):
    table = window.metrics.table
    _fill(table)
    window.metrics_dock.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.controls.denoise_button.setFocus()
    seen = []
    for _ in range(table.rowCount() * table.columnCount() + 40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
        if seen[-1] is window.controls.denoise_button:
            break
    assert table in seen  # Tab reaches the table ...
    assert seen[-1] is window.controls.denoise_button  # ... and comes round past it
    assert seen.count(table) == 1


@pytest.fixture
def result_page(qtbot, tmp_path):
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    page = wizard.result_page
    wizard.setStartId(RESULT)
    wizard.restart()
    wizard.show()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    return wizard, page


def test_tab_leaves_the_wizards_result_tables(result_page, qtbot):
    _, page = result_page
    for table in (page.table, page.dose_table):
        table.show()
        _fill(table)
        table.setFocus()
        table.setCurrentCell(0, 0)
        qtbot.keyClick(table, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is not table, table.accessibleName()


def test_the_name_field_and_save_button_have_mnemonics(result_page, qtbot):
    wizard, page = result_page
    assert page.save_button.text() == "&Save to my models"
    assert wizard.currentPage() is page
    page.name.setText("mine")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page.name  # not Next: hidden on this last page
    with qtbot.waitSignal(page.save_button.clicked, timeout=1000):
        qtbot.keyClick(page.name, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
