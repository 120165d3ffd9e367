"""``xray-denoise train --help`` ends with train's exit statuses, as every subcommand does."""

import pytest

from core.cli import main
from core.training.arguments import training_parser


def _help_text(capsys) -> str:
    return " ".join(capsys.readouterr().out.split())


def test_train_help_ends_with_its_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = _help_text(capsys)
    ending = text[text.index("--no-progress no tqdm progress bar") :]
    for status in (
        "0 finished",
        "2 bad input",
        "130 Ctrl-C",
        "143 SIGTERM or the stop file",
        "129 SIGHUP: stopped after its step with a checkpoint",
        "go on with --resume",
        "1 an unexpected error (a bug)",
    ):
        assert status in ending


def test_the_training_module_and_the_wizard_worker_give_the_same_statuses(capsys):
    with pytest.raises(SystemExit):
        training_parser("python -m core.training").parse_args(["--help"])
    assert "129 SIGHUP: stopped after its step" in _help_text(capsys)
