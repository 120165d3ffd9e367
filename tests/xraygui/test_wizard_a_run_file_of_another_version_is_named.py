"""A wizard run.json of another version is read where it can be, and named where it cannot.

Before, ``run.json`` had no version, a setting this version does not know (a later
version's) made the run fail to read, and every run folder that could not be read was
left out of the wizard without a word, its checkpoint with it.
"""

import json

import pytest

from xraygui.wizard.runs import (
    RUN_FILE,
    RunSpec,
    UnreadableRun,
    read_run,
    scan_runs,
    write_run,
)
from xraygui.wizard.wizard import TrainWizard

NEWER = (
    "made by a newer xray-denoise (format version 2); this version reads up to 1: update to open it"
)


def paused_run(root, name="20260101-093000-data"):
    """A paused run with its checkpoint, as the wizard leaves it."""
    folder = root / name
    folder.mkdir(parents=True)
    spec = RunSpec(data=root.parent / "data", folder=folder, steps=4, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    spec.config.checkpoint_path.write_bytes(b"checkpoint")
    write_run(spec, "paused")
    return spec


def _edit(spec, change):
    path = spec.folder / RUN_FILE
    stored = json.loads(path.read_text())
    change(stored)
    path.write_text(json.dumps(stored))


def test_a_run_file_names_its_format_and_version(tmp_path):
    spec = paused_run(tmp_path / "runs")
    stored = json.loads((spec.folder / RUN_FILE).read_text())
    assert (stored["format"], stored["version"]) == ("xray-denoise-run", 1)


def test_one_written_without_them_is_of_version_1(tmp_path):
    spec = paused_run(tmp_path / "runs")
    _edit(spec, lambda stored: [stored.pop("format"), stored.pop("version")])
    assert read_run(spec.folder) == (spec, "paused")


def test_settings_of_a_later_version_are_neither_dropped_nor_offered(tmp_path):
    """Resumed, the run would train without them and its run.json be rewritten without them."""
    spec = paused_run(tmp_path / "runs")
    _edit(spec, lambda stored: stored["spec"].update(zoom=2, precision="float32"))
    written = (spec.folder / RUN_FILE).read_bytes()
    with pytest.raises(ValueError) as refused:
        read_run(spec.folder)
    reason = (
        "made by a newer xray-denoise (settings it does not know: precision, zoom): "
        "update to open it"
    )
    assert str(refused.value) == f"{spec.folder / RUN_FILE}: {reason}"
    assert scan_runs(tmp_path / "runs").unfinished() == []
    assert scan_runs(tmp_path / "runs").unreadable == [UnreadableRun(spec.folder, reason)]
    assert (spec.folder / RUN_FILE).read_bytes() == written


def test_a_state_of_a_later_version_is_named_not_left_out(tmp_path):
    spec = paused_run(tmp_path / "runs")
    _edit(spec, lambda stored: stored.update(state="queued"))
    reason = "made by a newer xray-denoise (a state it does not know: 'queued'): update to open it"
    assert scan_runs(tmp_path / "runs").unreadable == [UnreadableRun(spec.folder, reason)]


def test_a_later_version_is_refused_in_one_line(tmp_path):
    spec = paused_run(tmp_path / "runs")
    _edit(spec, lambda stored: stored.update(version=2))
    with pytest.raises(ValueError) as refused:
        read_run(spec.folder)
    assert str(refused.value) == f"{spec.folder / RUN_FILE}: {NEWER}"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda stored: stored.update(version=2), NEWER),
        (lambda stored: stored["spec"].pop("steps"), "a setting is missing or of another type"),
        (lambda stored: stored.pop("spec"), "no 'spec' in it"),
        (lambda stored: stored["spec"].update(loss="l1"), "made by a newer xray-denoise (settings"),
    ],
    ids=["newer", "setting-missing", "no-spec", "newer-setting"],
)
def test_a_run_folder_that_cannot_be_read_is_named_with_its_checkpoint(tmp_path, change, reason):
    readable = paused_run(tmp_path / "runs", "20260101-093000-data")
    unreadable = paused_run(tmp_path / "runs", "20260202-093000-data")
    _edit(unreadable, change)
    assert scan_runs(tmp_path / "runs").unfinished() == [readable]
    (run,) = scan_runs(tmp_path / "runs").unreadable
    assert run.folder == unreadable.folder and run.reason.startswith(reason)
    assert run.message() == (
        f"Run folder 20260202-093000-data could not be read ({run.reason}); "
        f"its checkpoint is at {unreadable.config.checkpoint_path}."
    )


def test_one_without_a_checkpoint_says_so(tmp_path):
    spec = paused_run(tmp_path / "runs")
    spec.config.checkpoint_path.unlink()
    (spec.folder / RUN_FILE).write_text("{")
    (run,) = scan_runs(tmp_path / "runs").unreadable
    assert run.message() == (
        f"Run folder {spec.folder.name} could not be read (not a run file of xray-denoise); "
        f"it has no checkpoint ({spec.folder})."
    )


@pytest.mark.gui
def test_the_wizard_names_the_run_folders_it_cannot_read(qtbot, tmp_path):
    readable = paused_run(tmp_path / "runs", "20260101-093000-data")
    unreadable = paused_run(tmp_path / "runs", "20260202-093000-data")
    _edit(unreadable, lambda stored: stored.update(version=2))
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    assert wizard.data_page.unreadable_label.text().replace("\u200b", "") == (  # wrap points
        f"Run folder 20260202-093000-data could not be read ({NEWER}); "
        f"its checkpoint is at {unreadable.config.checkpoint_path}."
    )
    assert readable.folder.name in wizard.data_page.resume_label.text()
