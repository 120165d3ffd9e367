"""The Data page offers every unfinished and unsaved run, the chosen folder's first, and
discards an unfinished one, once asked: it offered only the newest of each, so that a run
paused on another data folder could never be reached, and unfinished runs (a checkpoint, a
model, a log naming patients) piled up with no way to drop them."""

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QMessageBox

from xraygui.wizard.data_page import DataPage
from xraygui.wizard.lock import take_run_lock
from xraygui.wizard.runs import scan_runs, write_run

pytestmark = pytest.mark.gui


@pytest.fixture
def two_paused(tmp_path, new_run_spec, write_checkpoint):
    """Two runs paused on two data folders (the older on ``a``) and one unsaved, on ``a``."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    finished = replace(new_run_spec("20261126-090000"), data=a)
    older = replace(new_run_spec("20261127-100000"), data=a)
    newer = replace(new_run_spec("20261128-110000"), data=b, minutes=1.5)
    for spec, state, step in (
        (finished, "finished", 1000),
        (older, "paused", 40),
        (newer, "failed", 7),
    ):
        write_run(spec, state)
        write_checkpoint(spec, step)
    finished.output.write_bytes(b"weights")
    return a, b, older, newer, finished


def _page(qtbot, root):
    found = scan_runs(root)
    page = DataPage(found.unfinished(), unsaved=found.unsaved(), progress=found.progress())
    qtbot.addWidget(page)
    return page


def _choose(qtbot, page, folder):
    with qtbot.waitSignal(page.scanned, timeout=20_000):
        page.set_folder(folder)


def _shown(page, rows):
    """The rows' runs in the order the page shows them."""
    layout = next(box for listed, box in page._run_lists if listed is rows)
    widgets = [layout.itemAt(i).widget() for i in range(layout.count())]
    return [widget.spec for widget in widgets if widget in rows]


def test_every_run_is_offered_with_its_data_state_and_step_the_chosen_folders_first(
    qtbot, tmp_path, two_paused
):
    a, b, older, newer, finished = two_paused
    page = _page(qtbot, tmp_path / "runs")
    assert _shown(page, page.resume_rows) == [newer, older]  # newest first
    lines = [row.label.text().replace("\u200b", "") for row in page.resume_rows]
    assert lines[0] == f"20261128-110000 (data {b}): failed, step 7, 0.0 of 1.5 min"
    assert lines[1] == f"20261127-100000 (data {a}): paused, step 40 of 1000"
    assert page.resume_heading.text() == "2 unfinished runs can be resumed or discarded:"
    assert page.result_heading.text() == "A finished run's model has not been saved:"
    assert "20261126-090000" in page.result_label.text() and "finished, step 1000" in (
        page.result_label.text()
    )
    _choose(qtbot, page, a)
    assert _shown(page, page.resume_rows) == [older, newer]  # the chosen folder's first
    assert "20261127-100000" in page.resume_label.text()
    with qtbot.waitSignal(page.resumeRequested) as resumed:
        page.resume_rows[1].buttons["Resume it"].click()  # the older, on the other folder
    assert resumed.args == [older]
    _choose(qtbot, page, b)
    assert _shown(page, page.resume_rows) == [newer, older]
    with qtbot.waitSignal(page.resultRequested) as opened:
        page.result_rows[0].buttons["Open result"].click()
    assert opened.args == [finished]


def test_discard_asks_first_then_deletes_the_run_folder(
    qtbot, tmp_path, two_paused, answer_next_box
):
    _a, _b, older, newer, _finished = two_paused
    page = _page(qtbot, tmp_path / "runs")
    row = page.resume_rows[1]
    answer_next_box(QMessageBox.StandardButton.Cancel)
    row.buttons["Discard"].click()
    assert older.folder.is_dir() and page._unfinished == [newer, older]
    answer_next_box(QMessageBox.StandardButton.Yes)  # "Discard"
    row.buttons["Discard"].click()
    assert not older.folder.exists()
    assert scan_runs(tmp_path / "runs").unfinished() == [newer]
    assert page._unfinished == [newer]
    assert row.label.text().replace("\u200b", "").startswith("Discarded 20261127-100000: its run")
    assert not row.buttons["Resume it"].isVisibleTo(row)
    assert not row.buttons["Discard"].isVisibleTo(row)
    assert page.resume_heading.text() == "An unfinished run can be resumed:"


def test_a_run_trained_meanwhile_is_not_discarded(qtbot, tmp_path, two_paused, answer_next_box):
    _a, _b, older, _newer, _finished = two_paused
    page = _page(qtbot, tmp_path / "runs")
    lock = take_run_lock(older.folder)  # resumed in another window since the page opened
    try:
        answer_next_box(QMessageBox.StandardButton.Yes)
        page.resume_rows[1].buttons["Discard"].click()
        assert older.config.checkpoint_path.is_file()
        assert "is being trained now" in page.resume_rows[1].label.text()
    finally:
        lock.unlock()


def test_a_folder_that_no_longer_holds_the_run_is_not_deleted(
    qtbot, tmp_path, two_paused, answer_next_box
):
    _a, _b, older, _newer, _finished = two_paused
    page = _page(qtbot, tmp_path / "runs")
    write_run(replace(older, steps=5), "paused")  # another run's run.json there now
    answer_next_box(QMessageBox.StandardButton.Yes)
    page.resume_rows[1].buttons["Discard"].click()
    assert older.config.checkpoint_path.is_file()
    assert "no longer holds it" in page.resume_rows[1].label.text().replace("\u200b", "")
