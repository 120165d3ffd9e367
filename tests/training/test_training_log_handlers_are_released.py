"""A training run in a process that goes on leaves no log handler and no open log file."""

import logging

from core.training.__main__ import main


def test_two_runs_in_one_process_log_each_line_once(image_folder, tmp_path, capsys):
    root = logging.getLogger()
    before = list(root.handlers)
    args = ["--device", "cpu", "--no-progress", "--steps", "1", "--batch-size", "2"]
    args += ["--patch-size", "16", "--val-every", "0"]
    for name in ("a", "b"):
        out = tmp_path / f"{name}.safetensors"
        assert main([str(image_folder), "--output", str(out), *args]) == 0
        assert root.handlers == before  # the console and the log file's handler are gone
        lines = capsys.readouterr().err.splitlines()
        checkpoints = [line for line in lines if "step 1: checkpoint" in line]
        assert len(checkpoints) == 1, lines
    assert "step 1: checkpoint" in (tmp_path / "b.log").read_text(encoding="utf-8")
