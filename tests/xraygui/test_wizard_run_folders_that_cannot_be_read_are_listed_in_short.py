"""The Data page's run folders that cannot be read: at most three named, names as on disk.

Before, every one was listed above the folder chooser (150 lines pushed it off the page), a
name not valid UTF-8 was shown with characters dropped and the reason repeated its path, and
a run.json of deeply nested brackets raised RecursionError: the wizard did not open.
"""

import json
import os
import sys

import pytest

from xraygui.wizard.data_page import DataPage
from xraygui.wizard.runs import RUN_FILE, RunSpec, UnreadableRun, scan_runs, write_run
from xraygui.wizard.wizard import TrainWizard

NEWER = (
    "made by a newer xray-denoise (format version 2); this version reads up to 1: update to open it"
)


def newer_run(root, name):
    """A paused run, with its checkpoint, whose run.json a later release wrote."""
    folder = root / name
    folder.mkdir(parents=True)
    spec = RunSpec(data=root.parent / "data", folder=folder, steps=4, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    spec.config.checkpoint_path.write_bytes(b"checkpoint")
    write_run(spec, "paused")
    stored = json.loads((folder / RUN_FILE).read_text())
    (folder / RUN_FILE).write_text(json.dumps({**stored, "version": 2}))
    return folder


@pytest.mark.gui
def test_three_are_named_the_others_counted_and_all_in_the_tooltip(qtbot, tmp_path):
    root = tmp_path / "runs"
    names = [f"20260101-{i:06d}-chest-data" for i in range(150)]
    for name in names:
        newer_run(root, name)
    wizard = TrainWizard(None, runs=root, model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.resize(900, 640)
    wizard.show()
    qtbot.waitExposed(wizard)
    page = wizard.data_page
    lines = page.unreadable_label.text().splitlines()
    assert [line.split()[2] for line in lines[:3]] == names[::-1][:3]
    assert lines[3:] == ["and 147 more run folders could not be read"]
    tooltip = page.unreadable_label.toolTip()
    assert all(f"Run folder {name} could not be read" in tooltip for name in names)
    assert not page.folder.visibleRegion().isEmpty()


@pytest.mark.gui
def test_they_are_named_under_the_folder_chooser(qtbot, tmp_path):
    """So that no number of them, nor their length, pushes it off the page."""
    page = DataPage([], unreadable=[UnreadableRun(tmp_path / "a", "a reason")])
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    folder_y = page.folder.mapTo(page, page.folder.rect().topLeft()).y()
    label_y = page.unreadable_label.mapTo(page, page.unreadable_label.rect().topLeft()).y()
    assert label_y > folder_y


@pytest.mark.skipif(sys.platform != "linux", reason="a file name of any bytes")
def test_a_name_not_valid_utf8_is_shown_with_its_bytes_and_the_reason_apart(tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    name = os.fsdecode(b"20260101-093000-d\xe9j\xe0")
    newer_run(root, name)
    (run,) = scan_runs(root).unreadable
    assert run.reason == NEWER  # not the path again
    safe = r"20260101-093000-d\xe9j\xe0"
    assert run.message() == (
        f"Run folder {safe} could not be read ({NEWER}); its checkpoint is at "
        f"{root}/{safe}/model.checkpoint.safetensors."
    )


@pytest.mark.gui
def test_a_run_file_nested_deeper_than_the_parser_goes_is_not_a_run_file(qtbot, tmp_path):
    root = tmp_path / "runs"
    (root / "r1").mkdir(parents=True)
    (root / "r1" / RUN_FILE).write_text("[" * 100_000)
    expected = [UnreadableRun(root / "r1", "not a run file of xray-denoise")]
    assert scan_runs(root).unreadable == expected
    wizard = TrainWizard(None, runs=root, model_dir=tmp_path / "models")  # opens
    qtbot.addWidget(wizard)
    assert "not a run file of xray-denoise" in wizard.data_page.unreadable_label.text()


@pytest.mark.gui
@pytest.mark.skipif(sys.platform != "linux", reason="a file name of any bytes")
def test_a_run_offered_is_named_with_its_bytes_too(qtbot, tmp_path):
    folder = tmp_path / os.fsdecode(b"20260101-093000-d\xe9j\xe0")
    spec = RunSpec(data=tmp_path, folder=folder, steps=4, minutes=None, batch_size=2, patch_size=16)
    page = DataPage([spec])
    qtbot.addWidget(page)
    assert r"20260101-093000-d\xe9j\xe0 (data " in page.resume_label.text()
