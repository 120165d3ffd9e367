"""One wizard, one process per run, and a Resume button only where there is a checkpoint."""

import json
import sys

import pytest

from xraygui.wizard import process as process_module
from xraygui.wizard import runs as runs_module
from xraygui.wizard.metrics import MetricsReader
from xraygui.wizard.process import TrainingProcess
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import read_run, scan_runs, write_run

pytestmark = pytest.mark.gui


@pytest.fixture
def commands(monkeypatch):
    """Run a sleeping ``python -c`` instead of the training; record whether each resumed."""
    resumed = []

    def command(spec, *, resume):
        resumed.append(resume)
        return sys.executable, ["-c", "import time; time.sleep(30)"]

    monkeypatch.setattr(process_module, "training_command", command)
    return resumed


def _stop(qtbot, process, how):
    with qtbot.waitSignal(process.stateChanged, timeout=10_000):
        getattr(process, how)()


def test_the_menu_raises_the_open_wizard_instead_of_opening_another(
    window, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setattr(runs_module, "runs_root", lambda: tmp_path / "runs")
    first = window.open_train_wizard()
    assert window.open_train_wizard() is first
    first.reject()  # closed: the next one is new, and lists the runs afresh
    second = window.open_train_wizard()
    assert second is not first and second.isVisible()
    second.reject()


def test_a_run_being_trained_is_locked_and_offered_to_no_one_else(
    qtbot, commands, new_run_spec, write_checkpoint
):
    spec = new_run_spec()
    write_checkpoint(spec, 6)
    write_run(spec, "paused")
    assert scan_runs(spec.folder.parent).unfinished() == [spec]
    first, second = TrainingProcess(), TrainingProcess()
    assert first.start(spec, resume=True)
    assert scan_runs(spec.folder.parent).unfinished() == []  # "running", and it is
    assert second.start(spec, resume=True) is False
    assert second.state == "idle" and not second.is_running() and commands == [True]
    assert read_run(spec.folder)[1] == "running"
    _stop(qtbot, first, "cancel")
    assert scan_runs(spec.folder.parent).unfinished() == [spec]  # the lock went with the process
    assert second.start(spec, resume=True)
    _stop(qtbot, second, "cancel")


def test_a_run_page_says_when_its_run_is_trained_elsewhere(qtbot, commands, new_run_spec):
    spec = new_run_spec()
    other = TrainingProcess()
    assert other.start(spec)
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec)
    assert page.status.text() == "Not started: run is being trained elsewhere: following it."
    assert not page.process.is_running() and page.followed == spec
    _stop(qtbot, other, "cancel")


def test_cancel_before_the_first_checkpoint_offers_to_start_again(
    qtbot, commands, new_run_spec, write_checkpoint
):
    spec = new_run_spec()
    spec.config.metrics_path.write_text(json.dumps({"step": 30, "loss": 0.5}) + "\n")
    page = RunPage()
    qtbot.addWidget(page)
    assert "Pause and Cancel keep a checkpoint" not in page.subTitle()
    page.start(spec)
    page.poll()
    _stop(qtbot, page.process, "cancel")
    assert page.status.text() == (
        "Cancelled after step 30, before its first checkpoint was written (one every 200 "
        "steps): nothing to resume."
    )
    assert page.resume_button.text() == "Start again" and page.resume_button.isEnabled()
    page.resume_button.click()  # a fresh start: there is nothing to resume from
    assert commands == [False, False] and page.process.is_running()
    write_checkpoint(spec, 200)  # as if the run reached its first checkpoint
    _stop(qtbot, page.process, "cancel")
    assert page.status.text().startswith("cancelled")
    assert page.resume_button.text() == "Resume" and page.resume_button.isEnabled()
    page.resume_button.click()
    assert commands == [False, False, True]
    _stop(qtbot, page.process, "cancel")


def test_metrics_that_go_back_are_not_taken(tmp_path):
    path = tmp_path / "m.jsonl"
    reader = MetricsReader(path)
    records = [{"step": s, "loss": 0.1} for s in (1, 2, 3)] + [{"step": 2, "validation": {}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert [r["step"] for r in reader.poll()] == [1, 2, 3, 2]  # losses and validations apart
    # A resumed run rewrote the file up to its checkpoint (step 2), then went on.
    kept = records[:2] + [records[3]] + [{"step": s, "loss": 0.2} for s in (3, 4)]
    path.with_name("new").write_text("".join(json.dumps(r) + "\n" for r in kept))
    path.with_name("new").replace(path)
    assert reader.poll() == [{"step": 4, "loss": 0.2}]
    with path.open("a") as f:
        f.write('{"step": 2, "loss": 0.3}\n7\n{"step": 5, "loss": 0.3}\n')
    assert reader.poll() == [{"step": 5, "loss": 0.3}]
