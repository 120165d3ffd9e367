"""A runs or model folder that cannot be created is reported; the wizard stays and goes on."""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.noise import phantom_image
from xraygui.wizard import process as process_module
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.runs import RunSpec, scan_runs
from xraygui.wizard.wizard import RUN, TRAINING, TrainWizard

pytestmark = pytest.mark.gui


@pytest.fixture
def folder(tmp_path):
    """Four 128 px PNGs, one patient each."""
    root = tmp_path / "data"
    root.mkdir()
    for i in range(4):
        stored = phantom_image((128, 128), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(root / f"im{i}.png")
    return root


@pytest.fixture
def blocker(tmp_path):
    """A file where a folder is wanted: creating a folder under it fails, for root too."""
    path = tmp_path / "afile"
    path.write_text("not a folder")
    return path


def test_next_on_the_training_page_reports_a_runs_folder_it_cannot_create(
    qtbot, tmp_path, folder, blocker, dialogs, monkeypatch
):
    monkeypatch.setattr(
        process_module, "training_command", lambda spec, *, resume: (sys.executable, ["-c", ""])
    )
    runs = blocker / "runs"
    wizard = TrainWizard(None, runs=runs, model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    with qtbot.waitSignal(wizard.data_page.scanned, timeout=20_000):
        wizard.data_page.set_folder(folder)
    wizard.next()
    wizard.next()
    assert wizard.currentId() == TRAINING
    wizard.next()
    assert wizard.currentId() == TRAINING and wizard.run_page.process.spec is None
    [(kind, _title, text)] = dialogs
    assert kind == "warning"
    assert text.startswith(f"Cannot create the training folder {runs}")
    assert text.endswith(": Not a directory") and "\n" not in text
    blocker.unlink()  # the user makes room; Next now goes on
    wizard.next()
    assert wizard.currentId() == RUN
    assert wizard.run_page.process.spec.folder.parent == runs
    qtbot.waitUntil(lambda: not wizard.run_page.process.is_running(), timeout=10_000)


def test_saving_into_a_model_folder_that_cannot_be_created_says_so(qtbot, tmp_path, blocker):
    page = ResultPage(blocker / "models")
    qtbot.addWidget(page)
    run = tmp_path / "run"
    run.mkdir()
    page.show_run(
        RunSpec(data=tmp_path, folder=run, steps=1, minutes=None, batch_size=2, patch_size=16)
    )
    assert page.save() is None
    assert page.message.text() == (
        f"Not saved: {blocker / 'models'}: cannot create the model folder: Not a directory"
    )


def test_a_runs_folder_that_cannot_be_read_holds_no_runs(tmp_path, monkeypatch):
    """As behind a folder the user may not enter (root, running the tests, enters any)."""

    def refuse(path, pattern):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "glob", refuse)
    assert scan_runs(tmp_path / "runs").unfinished() == []
