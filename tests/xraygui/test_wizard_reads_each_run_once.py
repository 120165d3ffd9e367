"""Opening the wizard reads each run once; a checkpoint is read afresh for each decision on
it (nothing of it is kept from one read to the next, after the run is deleted least of all);
deleting a run folder walks it once."""

import gc
import os
import sys
import types
from collections import Counter
from pathlib import Path

import pytest
import torch

from core.training.checkpoint import Checkpoint, save_checkpoint
from xraygui.wizard import process as process_module
from xraygui.wizard import run_page as run_page_module
from xraygui.wizard import runs as runs_module
from xraygui.wizard.run_page import RunPage
from xraygui.wizard.runs import (
    delete_run_folder,
    find_checkpoint,
    folder_size,
    read_run,
    write_run,
)
from xraygui.wizard.wizard import TrainWizard

PATIENT = "Doe^Jane-7f3a9c"
"""A patient's name in a checkpoint's split: none may be kept once its run is deleted."""


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
def test_one_resume_click_reads_the_checkpoint_afresh_twice_at_most(
    qtbot, monkeypatch, new_run_spec, write_checkpoint, reads
):
    """The page decides on one read; the command's remaining budget is read once more."""
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
    assert reads["checkpoint"] == {"run": 1}  # what is offered is decided on one read
    reads["checkpoint"].clear()

    page.resume_button.click()

    assert reads["checkpoint"] == {"run": 2}
    assert len(commands) == 1 and "--resume" in commands[0][1]
    reads["checkpoint"].clear()
    qtbot.waitUntil(lambda: page.process.state == "finished", timeout=20_000)
    assert reads["checkpoint"] == {}  # finished: nothing to decide on it

    reads["checkpoint"].clear()  # as the Data page's "Resume it" asks, on a page of its own
    other = RunPage()
    qtbot.addWidget(other)
    other.start(spec, resume=True)
    assert reads["checkpoint"] == {"run": 2} and len(commands) == 2
    qtbot.waitUntil(lambda: other.process.state == "finished", timeout=20_000)


def test_a_checkpoint_is_read_afresh_each_time(new_run_spec, write_checkpoint, reads):
    spec = new_run_spec()
    write_checkpoint(spec, 23)
    assert find_checkpoint(spec).step == find_checkpoint(spec).step == (23, 1.0)
    assert reads["checkpoint"] == {"run": 2}
    write_checkpoint(spec, 24)  # the same size, and maybe the same time: another file
    assert find_checkpoint(spec).step == (24, 1.0)
    path = spec.config.checkpoint_path
    path.write_bytes(path.read_bytes()[:100])  # cut short in place
    assert find_checkpoint(spec).step is None
    path.unlink()
    assert find_checkpoint(spec).step is None
    assert reads["checkpoint"] == {"run": 4}  # none read where there is no file


def _flip_in_place(path: Path, data: bytes) -> None:
    """Write ``data`` over ``path`` in place, keeping its inode, size and times (``cp -p``)."""
    before = path.stat()
    assert len(data) == before.st_size
    with path.open("r+b") as file:
        file.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def _damaged(data: bytes) -> bytes:
    """The checkpoint's bytes with one bit of its header flipped: no longer JSON."""
    bad = bytearray(data)
    bad[12] ^= 0x20
    return bytes(bad)


@pytest.mark.gui
def test_a_good_checkpoint_copied_back_in_place_is_resumed_not_recorded_stale(
    qtbot, monkeypatch, new_run_spec, write_checkpoint
):
    """Defect 1: the good copy restored with its size and time kept was still "damaged"."""
    commands = []
    monkeypatch.setattr(
        process_module,
        "training_command",
        lambda spec, *, resume: commands.append(resume) or (sys.executable, ["-c", ""]),
    )
    spec = new_run_spec()
    write_run(spec, "paused")
    write_checkpoint(spec, 23)
    path = spec.config.checkpoint_path
    good = path.read_bytes()
    _flip_in_place(path, _damaged(good))  # a copy from a flaky stick
    assert find_checkpoint(spec).step is None
    assert "not a readable training checkpoint" in runs_module.find_checkpoint(spec).unreadable
    _flip_in_place(path, good)  # copied again, from the good source, in place

    assert find_checkpoint(spec).step == (23, 1.0)
    assert runs_module.find_checkpoint(spec).unreadable == ""
    page = RunPage()
    qtbot.addWidget(page)
    page.start(spec, resume=True)  # the Data page's "Resume it"
    assert commands == [True] and not page.stale
    assert read_run(spec.folder)[1] == "running"  # not recorded stale
    qtbot.waitUntil(lambda: page.process.state == "finished", timeout=20_000)
    assert path.read_bytes() == good  # not deleted by a Start afresh


@pytest.mark.gui
def test_a_damaged_copy_in_place_over_a_good_checkpoint_offers_start_afresh(
    qtbot, monkeypatch, new_run_spec, write_checkpoint
):
    """Defect 2: a damaged copy with the good one's size and time was still offered."""
    commands = []
    monkeypatch.setattr(
        process_module,
        "training_command",
        lambda spec, *, resume: commands.append(resume) or (sys.executable, ["-c", ""]),
    )
    spec = new_run_spec()
    write_checkpoint(spec, 23)
    page = RunPage()
    qtbot.addWidget(page)
    page.process.adopt(spec, "paused")
    assert page.status.text() == "paused: Resume from step 23 (its checkpoint)"
    path = spec.config.checkpoint_path
    _flip_in_place(path, _damaged(path.read_bytes()))

    page.resume_button.click()

    assert commands == [] and not page.process.is_running()
    assert page.status.text() == "Cannot resume: the run's checkpoint cannot be read."
    assert page.resume_button.text() == "Start afresh" and page.stale
    assert read_run(spec.folder)[1] == runs_module.STALE


def _reachable(roots, skip=(type, types.ModuleType, types.FunctionType)):
    """Every object reachable from ``roots`` through containers and instances' attributes.

    Modules, classes and functions are not gone through (they reach the whole program).
    """
    seen, found, todo = set(), [], list(roots)
    while todo:
        item = todo.pop()
        if id(item) in seen or isinstance(item, skip):
            continue
        seen.add(id(item))
        found.append(item)
        todo.extend(gc.get_referents(item))
    return found


@pytest.mark.gui
def test_no_run_s_checkpoint_header_is_kept_after_the_scan_or_the_delete(
    qtbot, tmp_path, new_run_spec, reads
):
    """Defect 3: every checkpoint's whole header, its split's patients included, was kept."""
    spec = new_run_spec("20261128-010203")
    write_run(spec, "paused")
    network = torch.nn.Linear(2, 2)
    save_checkpoint(
        spec.config.checkpoint_path,
        network=network,
        ema=torch.nn.Linear(2, 2),
        optimizer=torch.optim.AdamW(network.parameters()),
        checkpoint=Checkpoint(23, {}, {"elapsed_s": 1.0, "split": {"patients": [PATIENT]}}),
    )
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    assert wizard.data_page._unfinished == [spec] and reads["checkpoint"] == {spec.folder.name: 1}
    assert find_checkpoint(spec).step == (23, 1.0)
    found = runs_module.find_checkpoint(spec)
    assert found.unreadable == found.newer == ""
    wizard.close()
    delete_run_folder(spec)
    del wizard
    gc.collect()

    kept = _reachable([vars(runs_module), vars(run_page_module), vars(process_module)])
    assert not [item for item in kept if isinstance(item, str) and PATIENT in item]
    assert not [item for item in kept if isinstance(item, Checkpoint)]
    assert not [item for item in gc.get_objects() if type(item) is Checkpoint]


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
