"""Opening the wizard reads each run once; a Resume reads its checkpoint once; a changed
checkpoint is read again; deleting a run folder walks it once."""

import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from xraygui.wizard import process as process_module
from xraygui.wizard import runs as runs_module
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import checkpoint_step, delete_run_folder, folder_size, write_run
from xraygui.wizard.wizard import TrainWizard


@pytest.fixture
def reads(monkeypatch):
    """Count the ``run.json`` and checkpoint reads of the wizard's runs, by folder and file."""
    counts = {"run": Counter(), "checkpoint": Counter()}
    real_run, real_checkpoint = runs_module.read_run, runs_module.read_checkpoint

    def read_run(folder):
        counts["run"][folder.name] += 1
        return real_run(folder)

    def read_checkpoint(path):
        counts["checkpoint"][path.parent.name] += 1
        return real_checkpoint(path)

    monkeypatch.setattr(runs_module, "read_run", read_run)
    monkeypatch.setattr(runs_module, "read_checkpoint", read_checkpoint)
    return counts


@pytest.mark.gui
def test_opening_the_wizard_reads_each_run_and_checkpoint_once(
    qtbot, tmp_path, new_run_spec, write_checkpoint, reads
):
    paused, cancelled, finished = (new_run_spec(name) for name in ("r3", "r2", "r1"))
    for spec, state in ((paused, "paused"), (cancelled, "cancelled"), (finished, "finished")):
        write_run(spec, state)
        write_checkpoint(spec, 5)
    finished.output.write_bytes(b"weights")

    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)

    assert reads["run"] == {"r1": 1, "r2": 1, "r3": 1}
    assert reads["checkpoint"] == {"r1": 1, "r2": 1, "r3": 1}
    page = wizard.data_page  # what it offers is as before: the newest unfinished, unsaved
    assert page._unfinished == [paused, cancelled] and page._unsaved == [finished]
    assert page._elsewhere == [] and not hasattr(page, "unreadable_label")
    assert "r3" in page.resume_label.text() and "r1" in page.result_label.text()


@pytest.mark.gui
def test_one_resume_click_reads_the_checkpoint_once(
    qtbot, monkeypatch, new_run_spec, write_checkpoint, reads
):
    spec = new_run_spec()
    write_checkpoint(spec, 23)
    commands = []
    real_command = process_module.training_command

    def quick(spec, *, resume):
        commands.append(real_command(spec, resume=resume))  # which reads the step done
        return sys.executable, ["-c", ""]

    monkeypatch.setattr(process_module, "training_command", quick)
    page = RunPage()
    qtbot.addWidget(page)
    page.process.adopt(spec, "paused")
    assert page.status.text() == "paused: Resume from step 23 (its checkpoint)"
    write_checkpoint(spec, 30)  # written since: read again, once
    reads["checkpoint"].clear()

    page.resume_button.click()

    assert reads["checkpoint"] == {"run": 1}
    assert len(commands) == 1 and "--resume" in commands[0][1]
    qtbot.waitUntil(lambda: page.process.state == "finished", timeout=20_000)
    assert reads["checkpoint"] == {"run": 1}  # nor when it ends, unchanged

    write_checkpoint(spec, 40)  # as the Data page's "Resume it" asks, on a page of its own
    reads["checkpoint"].clear()
    other = RunPage()
    qtbot.addWidget(other)
    other.start(spec, resume=True)
    assert reads["checkpoint"] == {"run": 1} and len(commands) == 2
    qtbot.waitUntil(lambda: other.process.state == "finished", timeout=20_000)


def test_a_checkpoint_written_since_is_read_again(new_run_spec, write_checkpoint, reads):
    spec = new_run_spec()
    write_checkpoint(spec, 23)
    assert checkpoint_step(spec) == checkpoint_step(spec) == (23, 1.0)
    assert reads["checkpoint"] == {"run": 1}
    write_checkpoint(spec, 24)  # the same size, and maybe the same time: another file
    assert checkpoint_step(spec) == (24, 1.0)
    path = spec.config.checkpoint_path
    path.write_bytes(path.read_bytes()[:100])  # cut short in place
    assert checkpoint_step(spec) is None
    path.unlink()
    assert checkpoint_step(spec) is None
    assert reads["checkpoint"] == {"run": 3}


def test_deleting_a_run_folder_lists_each_folder_once(tmp_path, new_run_spec, monkeypatch):
    spec = new_run_spec()
    (spec.folder / "sub" / "deeper").mkdir(parents=True)
    spec.output.write_bytes(b"x" * 1000)
    (spec.folder / "sub" / "more").write_bytes(b"y" * 20)
    (spec.folder / "sub" / "deeper" / "most").write_bytes(b"z" * 4)
    size = folder_size(spec.folder)
    listed = Counter()
    real_scandir = os.scandir

    def scandir(path="."):
        listed[Path(path).relative_to(spec.folder.parent).as_posix()] += 1
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)

    assert delete_run_folder(spec) == size == 1024
    assert listed == {"run": 1, "run/sub": 1, "run/sub/deeper": 1}
    assert not spec.folder.exists()
