"""The training log is readable by its owner alone, as the checkpoint is: it names patients.

Its warnings name DICOM PatientIDs (the split's) and the files that trained; the checkpoint
was written 0600 for its split, the log beside it 0644 under the usual umask.
"""

import os
import stat
import sys

import pytest

from core.training.__main__ import main

pytestmark = [
    pytest.mark.usefixtures("restore_logging"),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions"),
]


def test_the_log_is_the_owner_s(image_folder, tmp_path):
    out = tmp_path / "m.safetensors"
    log = tmp_path / "m.log"
    log.write_text("an earlier run's lines\n")
    os.chmod(log, 0o644)
    given = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    given += ["--batch-size", "2", "--patch-size", "16", "--val-every", "0", "--steps", "1"]
    assert main([*given, "--architecture", "tiny", "--overwrite"]) == 0
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "m.checkpoint.safetensors").stat().st_mode) == 0o600


def test_a_log_through_a_link_is_written_as_it_is(image_folder, tmp_path):
    # A shared log, /dev/null or a link to one: written, its permissions left alone.
    shared = tmp_path / "team.log"
    shared.write_text("")
    os.chmod(shared, 0o664)
    out = tmp_path / "m.safetensors"
    (tmp_path / "m.log").symlink_to(shared)
    given = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    given += ["--batch-size", "2", "--patch-size", "16", "--val-every", "0", "--steps", "1"]
    assert main([*given, "--architecture", "tiny"]) == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664 and shared.read_text()
