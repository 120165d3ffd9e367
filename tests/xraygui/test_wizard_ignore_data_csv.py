"""A data.csv that training cannot use can be ignored from the Data page, as the command
line's --ignore-patient-table does; the page says so in the wizard's words, not the CLI's."""

import numpy as np
import pytest
from PIL import Image

from core.noise import phantom_image
from core.training.arguments import training_parser
from xraygui.wizard.process import training_command
from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui


@pytest.fixture
def folder(tmp_path):
    """Two PNGs and a data.csv whose header lacks the columns (as a PACS export's)."""
    root = tmp_path / "data"
    root.mkdir()
    for i in range(2):
        stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(root / f"im{i}.png")
    (root / "data.csv").write_text("PatientID,Filename\nx,im0.png\ny,im1.png\n")
    return root


def _scanned(qtbot, page):
    qtbot.waitUntil(lambda: page.worker is None, timeout=20_000)
    return page.summary.text()


def test_the_refusal_offers_the_check_box_not_a_command_line_option(qtbot, tmp_path, folder):
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.data_page
    assert page.set_folder(folder) is not None
    text = _scanned(qtbot, page)
    assert "Training cannot use this folder" in text and "no patient_id and image_id" in text
    assert "--ignore-patient-table" not in text and "Ignore data.csv" in text
    assert page.ignore_table.isVisible() and not page.isComplete()

    page.ignore_table.setChecked(True)  # scans again, without the table
    text = _scanned(qtbot, page)
    assert page.isComplete() and page.report.tables_ignored
    assert "2 usable images" in text and "Split by file" in text and "data.csv ignored" in text
    assert page.ignore_table.isVisible()  # still there, to be unticked

    spec = wizard.spec(tmp_path / "runs" / "run")
    assert spec.ignore_patient_table
    for resume in (False, True):  # a resume splits again: it must ignore the table too
        _program, args = training_command(spec, resume=resume)
        assert training_parser("train").parse_args(args[2:]).ignore_patient_table

    page.ignore_table.setChecked(False)  # and back: refused again
    assert "Training cannot use this folder" in _scanned(qtbot, page)
    assert not page.isComplete()


def test_another_folder_uses_its_tables_again(qtbot, tmp_path, folder):
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.data_page
    page.set_folder(folder)
    _scanned(qtbot, page)
    page.ignore_table.setChecked(True)
    _scanned(qtbot, page)
    other = tmp_path / "other"
    other.mkdir()
    (folder / "im0.png").rename(other / "im0.png")
    page.set_folder(other)
    _scanned(qtbot, page)
    assert not page.ignore_table.isChecked() and not page.ignore_table.isVisible()
    assert not wizard.spec(tmp_path / "run").ignore_patient_table
    assert (
        "--ignore-patient-table"
        not in training_command(wizard.spec(tmp_path / "run"), resume=False)[1]
    )
