"""The Train on Folder wizard: scan, noise preview, training subprocess, cancel, resume, save."""

import json
import shutil
import sys
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from core.diffusion import card_path, load_model
from core.errors import ImageWriteError
from core.io import write_new_dicom
from core.noise import phantom_image
from xraygui.wizard import process as process_module
from xraygui.wizard import runs as runs_module
from xraygui.wizard.metrics import MetricsReader
from xraygui.wizard.result_page import ResultPage, save_model_copy
from xraygui.wizard.run_page import RunPage, eta_seconds, format_eta
from xraygui.wizard.runs import RunSpec, read_run, scan_runs
from xraygui.wizard.wizard import NOISE, RESULT, RUN, TRAINING

FINE = {"log_every": 1, "val_every": 5, "checkpoint_every": 2}


@pytest.fixture
def folder(tmp_path):
    """Four PNGs (one nested), two DICOMs of two patients, one corrupt PNG (kept in training)."""
    root = tmp_path / "data"
    (root / "png" / "nested").mkdir(parents=True)
    (root / "dicom").mkdir()
    for i in range(4):
        stored = phantom_image((64, 64), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        sub = root / "png" / ("nested" if i == 3 else "")
        Image.fromarray(stored.astype(np.uint8)).save(sub / f"im{i}.png")
    for i in range(2):
        stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=3000.0, seed=10 + i)
        write_new_dicom(stored, root / "dicom" / f"p{i}.dcm", bits_stored=12, patient_id=f"P{i}")
    (root / "png" / "nested" / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nnot an image")
    return root


@pytest.fixture
def runs(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setattr(runs_module, "runs_root", lambda: root)
    return root


def _open(window, qtbot):
    wizard = window.open_train_wizard()
    wizard.cadence = dict(FINE)
    qtbot.addWidget(wizard)
    return wizard


def _scan(wizard, folder, qtbot):
    with qtbot.waitSignal(wizard.data_page.scanned, timeout=20_000):
        wizard.data_page.set_folder(folder)
    return wizard.data_page.report


def _fake_training(monkeypatch, code):
    """Run ``python -c code`` instead of the training (the wizard's side only, fast)."""
    monkeypatch.setattr(
        process_module, "training_command", lambda spec, *, resume: (sys.executable, ["-c", code])
    )


def _finished_run(tmp_path, model_path):
    """A run folder holding ``model_path`` as its trained model, with a training record."""
    spec = RunSpec(data=tmp_path, folder=tmp_path / "run", steps=1, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    spec.folder.mkdir()
    card = json.loads(card_path(model_path).read_text())
    card["training"] = {"steps_done": 1}
    spec.output.write_bytes(model_path.read_bytes())
    card_path(spec.output).write_text(json.dumps(card))
    return spec


@pytest.mark.slow
def test_wizard_trains_cancels_resumes_and_saves(
    window, qtbot, folder, runs, tiny_model_path, monkeypatch
):
    wizard = _open(window, qtbot)
    report = _scan(wizard, folder, qtbot)
    assert report.n_usable == 6 and dict(report.formats) == {"PNG": 4, "DICOM": 2}
    assert [p.name for p, _ in report.unusable] == ["corrupt.png"]
    assert report.split_kind == "by DICOM PatientID (2 images), file (no patient known) (4 images)"
    assert report.val_patients >= 1 and report.train_images + report.val_images == 6
    assert wizard.data_page.thumbnails.count() == 6 and wizard.data_page.isComplete()

    wizard.next()
    assert wizard.currentId() == NOISE
    assert wizard.noise_page.clean.pixmap() is not None
    assert "learns all noise levels" in wizard.noise_page.note.text()
    wizard.next()
    assert wizard.currentId() == TRAINING
    page = wizard.training_page
    assert page.finetune.isChecked() and page.init_model() == tiny_model_path
    assert page.learning_rate() == 5e-5
    page.fresh.setChecked(True)
    assert page.learning_rate() == 2e-4 and page.architecture.isEnabled()
    page.finetune.setChecked(True)
    page.lr.setCurrentIndex(page.lr.findData(1e-4))
    page.device.setCurrentText("cpu")
    page.patch.setValue(16)
    page.batch.setValue(2)
    page.binning.setValue(2)
    page.minutes.setValue(0.1)
    wizard.next()
    assert wizard.currentId() == RUN
    run_page = wizard.run_page
    spec = run_page.process.spec
    qtbot.waitUntil(spec.config.checkpoint_path.is_file, timeout=30_000)
    monkeypatch.setattr(run_page, "_confirm_stop_now", lambda lost, kept: True)  # "Stop now"
    with qtbot.waitSignal(run_page.stateChanged, timeout=10_000) as blocker:
        run_page.cancel_button.click()
    assert blocker.args == ["cancelled"]
    assert read_run(spec.folder)[1] == "cancelled"
    assert scan_runs(runs).unfinished() == [spec]
    wizard.reject()

    # As after an app restart: a new wizard offers the unfinished run and resumes it.
    wizard = _open(window, qtbot)
    assert spec.folder.name in wizard.data_page.resume_label.text()
    with qtbot.waitSignal(wizard.run_page.stateChanged, timeout=60_000) as blocker:
        wizard.data_page.resumeRequested.emit(scan_runs(runs).unfinished()[0])
        qtbot.waitUntil(lambda: wizard.run_page.process.state != "running", timeout=60_000)
    assert wizard.run_page.process.state == "finished", wizard.run_page.log.toPlainText()
    assert wizard.run_page.losses and len(wizard.run_page.validations) >= 2
    assert scan_runs(runs).unfinished() == []

    wizard.next()
    assert wizard.currentId() == RESULT
    table = wizard.result_page.table
    assert table.rowCount() == 6
    assert table.item(0, 2).text() != "-" and table.item(0, 4).text() != "-"
    wizard.result_page.name.setText("clinic")
    saved = wizard.result_page.save()
    card = json.loads(saved.with_suffix(".json").read_text())
    started_from = card["training"]["started_from"]
    assert started_from["name"] == tiny_model_path.stem and "file" not in started_from
    assert started_from["weights_sha256"] == load_model(tiny_model_path).card.weights_sha256
    assert (card["training"]["settings"]["binning"], card["training"]["settings"]["lr"]) == (
        2,
        1e-4,
    )
    # A second save under the same name keeps the first model and says why.
    first = saved.read_bytes()
    assert wizard.result_page.save() is None
    assert "exists" in wizard.result_page.message.text() and saved.read_bytes() == first
    assert window.controls.model.currentText() == "clinic (user)"
    wizard.reject()


def test_training_command_resume_passes_remaining_budget(tmp_path):
    spec = RunSpec(data=tmp_path, folder=tmp_path / "run", steps=50, minutes=2.0,
                   batch_size=2, patch_size=16, binning=2, architecture="tiny")  # fmt: skip
    program, args = process_module.training_command(spec, resume=False)
    assert args[:2] == ["-m", "core.training"] and "--architecture" in args
    assert args[args.index("--binning") + 1] == "2" and "--lr" not in args
    _, tuned = process_module.training_command(replace(spec, lr=5e-5), resume=False)
    assert tuned[tuned.index("--lr") + 1] == "5e-05"
    assert args[args.index("--minutes") + 1] == "2"
    _, resumed = process_module.training_command(spec, resume=True)
    assert "--resume" in resumed and "--batch-size" not in resumed
    assert RunSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec


def test_metrics_reader_waits_for_whole_lines_and_skips_torn_ones(tmp_path):
    path = tmp_path / "m.jsonl"
    reader = MetricsReader(path)
    assert reader.poll() == []
    path.write_text('{"step": 1, "loss": 0.5}\n{"step": 2, "lo')
    assert reader.poll() == [{"step": 1, "loss": 0.5}]
    with path.open("a") as f:
        f.write('ss": 0.4}\n{"torn\n{"step": 3, "loss": 0.3}\n')
    assert [r["step"] for r in reader.poll()] == [2, 3]


def test_eta_is_the_sooner_of_steps_and_budget(tmp_path):
    spec = RunSpec(data=tmp_path, folder=tmp_path, steps=1000, minutes=1.0,
                   batch_size=2, patch_size=16)  # fmt: skip
    record = {"step": 500, "steps_per_s": 10.0, "elapsed_s": 30.0}
    assert eta_seconds(spec, record) == 30.0
    assert format_eta(3725) == "ETA 1 h 02 min" and format_eta(None) == "ETA -"


def test_saving_a_fresh_run_copies_it_whole_and_never_over_a_model(tmp_path, tiny_model_path):
    spec = _finished_run(tmp_path, tiny_model_path)
    saved = save_model_copy(spec, tmp_path / "models", "mine")
    assert saved.read_bytes() == tiny_model_path.read_bytes()
    stored = json.loads(card_path(saved).read_text())
    assert "started_from" not in stored["training"] and "wizard_noise" in stored["training"]
    assert load_model(saved).card.weights_sha256 == load_model(tiny_model_path).card.weights_sha256
    with pytest.raises(ImageWriteError, match="exists"):
        save_model_copy(spec, tmp_path / "models", "mine")
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [
        "mine.json",
        "mine.safetensors",
    ]


def _run_fresh_30_steps(window, qtbot, folder):
    """Open the wizard on `folder` and go to the Run page with a fresh 30-step run."""
    wizard = _open(window, qtbot)
    _scan(wizard, folder, qtbot)
    wizard.next()
    wizard.next()
    page = wizard.training_page
    page.fresh.setChecked(True)
    page.by_steps.setChecked(True)
    page.steps.setValue(30)
    wizard.next()
    return wizard


def test_changed_settings_start_a_new_run_and_keep_the_finished_one(
    window, qtbot, folder, runs, monkeypatch
):
    _fake_training(monkeypatch, "pass")
    wizard = _run_fresh_30_steps(window, qtbot, folder)
    page, process = wizard.training_page, wizard.run_page.process
    first = process.spec
    qtbot.waitUntil(lambda: process.state == "finished", timeout=10_000)

    wizard.back()
    wizard.next()  # the same settings: the finished run is shown, nothing starts
    assert process.spec == first and process.state == "finished"
    wizard.back()
    page.steps.setValue(60)
    wizard.next()
    assert process.spec.steps == 60 and process.spec.folder != first.folder
    assert read_run(first.folder) == (first, "finished")
    qtbot.waitUntil(lambda: process.state == "finished", timeout=10_000)
    second = process.spec
    wizard.next()
    assert wizard.currentId() == RESULT and wizard.result_page.spec == second
    wizard.back()  # back from the Result page: the run is shown, not repeated
    assert process.spec == second and process.state == "finished"
    assert sorted(runs.iterdir()) == sorted([first.folder, second.folder])
    wizard.reject()


def test_cancel_clears_the_eta(qtbot, tmp_path, monkeypatch):
    _fake_training(monkeypatch, "import time; time.sleep(60)")
    page = RunPage()
    qtbot.addWidget(page)
    spec = RunSpec(data=tmp_path, folder=tmp_path, steps=1000, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    spec.config.metrics_path.write_text(
        json.dumps({"step": 10, "loss": 0.5, "steps_per_s": 10.0, "elapsed_s": 1.0}) + "\n"
    )
    page.start(spec)
    page.poll()
    assert page.eta.text() == format_eta(99.0)
    with qtbot.waitSignal(page.stateChanged, timeout=10_000) as blocker:
        page.cancel_button.click()
    assert blocker.args == ["cancelled"] and page.eta.text() == format_eta(None)


def test_save_message_is_laid_out_whole_at_once(qtbot, tmp_path, tiny_model_path):
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.resize(500, 400)
    page.show()
    spec = _finished_run(tmp_path, tiny_model_path)
    save_model_copy(spec, page.model_dir, "mine")
    page.show_run(spec)
    page.name.clear()
    assert page.save() is None
    qtbot.wait(50)
    assert page.message.text() == "Give the model a name."
    page.name.setText("mine")
    assert page.save() is None  # the name is taken: a longer message, on several lines
    message = page.message
    assert "choose another name" in message.text() and message.wordWrap()
    needed = message.heightForWidth(message.width())
    assert needed >= 2 * message.fontMetrics().lineSpacing() and message.height() >= needed


def test_changed_settings_while_a_run_goes_on_are_not_silently_ignored(
    window, qtbot, folder, runs, monkeypatch
):
    _fake_training(monkeypatch, "import time; time.sleep(30)")
    wizard = _run_fresh_30_steps(window, qtbot, folder)
    page, process = wizard.training_page, wizard.run_page.process
    qtbot.waitUntil(process.is_running, timeout=10_000)
    first = process.spec
    wizard.back()
    wizard.next()  # the same settings: nothing to say
    assert "keeps its settings" not in wizard.run_page.log.toPlainText()
    wizard.back()
    page.steps.setValue(60)
    wizard.next()
    assert process.spec == first and process.is_running()
    assert "The run going on keeps its settings" in wizard.run_page.log.toPlainText()
    process.cancel()
    qtbot.waitUntil(lambda: not process.is_running(), timeout=10_000)


def test_browsing_to_the_same_folder_again_sees_files_added_since(
    window, qtbot, folder, runs, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    wizard = _open(window, qtbot)
    assert _scan(wizard, folder, qtbot).n_usable == 6
    shutil.copy(folder / "dicom" / "p0.dcm", folder / "dicom" / "p0_copy.dcm")
    assert wizard.data_page.set_folder(folder) is None  # typed again: the same scan stands
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(wizard.data_page.scanned, timeout=20_000):
        wizard.data_page._browse()
    assert wizard.data_page.report.n_usable == 7
