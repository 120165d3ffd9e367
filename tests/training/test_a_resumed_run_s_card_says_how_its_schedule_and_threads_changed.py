"""A resumed run's card says where its horizon changed, and the CPU threads it trained with.

A run extended with ``--resume --steps 12`` goes on from the rate it reached, so its weights
are not a fresh 12-step run's, yet its card read like one; and training's weights depend on
the number of CPU threads, which nothing recorded, so a resume with another number silently
gave weights unlike those of a run never stopped.
"""

import pytest

from core.diffusion.model import load_model
from core.training.__main__ import main
from core.training.checkpoint import read_checkpoint

pytestmark = pytest.mark.usefixtures("restore_logging")


def test_the_card_records_horizon_changes_and_threads(image_folder, tmp_path, caplog):
    out = tmp_path / "m.safetensors"
    given = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    given += ["--batch-size", "2", "--patch-size", "16", "--val-every", "0", "--warmup-steps", "0"]
    assert main([*given, "--architecture", "tiny", "--steps", "2", "--threads", "1"]) == 0
    training = load_model(out).card.training
    assert training["threads"] == 1 and training["resume_changes"] == []
    assert training["lr_plan"] == {"warmup": 0, "from_step": 0, "from_progress": 0.0}
    assert read_checkpoint(tmp_path / "m.checkpoint.safetensors").extra["threads"] == 1

    caplog.clear()
    with caplog.at_level("WARNING"):
        assert main([*given, "--resume", "--steps", "4", "--threads", "2"]) == 0
    assert any(
        "resumed with 2 CPU threads, trained with 1 until now" in m and "--threads 1" in m
        for m in caplog.messages
    )
    training = load_model(out).card.training
    assert training["threads"] == 2
    assert training["resume_changes"] == [
        {"at_step": 2, "steps": [2, 4]},
        {"at_step": 2, "threads": [1, 2]},
    ]
    assert training["lr_plan"]["from_step"] == 2

    caplog.clear()
    with caplog.at_level("WARNING"):
        assert main([*given, "--resume", "--steps", "5", "--threads", "2"]) == 0
    assert not any("CPU threads" in m for m in caplog.messages)  # the same threads: quiet
    changes = load_model(out).card.training["resume_changes"]
    assert changes[2:] == [{"at_step": 4, "steps": [4, 5]}]  # the earlier ones kept
