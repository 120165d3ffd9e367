"""``denoise --views`` names the counts :data:`core.view_counts.VIEW_COUNTS` allows, without torch.

The help, the parse error and the refusal of a count outside them are built from the one
tuple, which lives in a module without torch so that ``xray-denoise --help`` stays quick.
"""

import argparse
import subprocess
import sys

import pytest

import core.view_counts
from core.cli import build_parser
from core.cli.denoise import _view_count

MORE = (1, 2, 4, 8, 16)
"""Counts other than the shipped ones, to show that the text follows the tuple."""


def _denoise_help() -> str:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return " ".join(subparsers.choices["denoise"].format_help().split())


def test_the_help_names_the_counts_of_view_counts(monkeypatch):
    monkeypatch.setattr(core.view_counts, "VIEW_COUNTS", MORE)
    text = _denoise_help()
    assert "--views auto|1|2|4|8|16 " in text
    assert "average the prediction over 1, 2, 4, 8 or 16 flipped/rotated views" in text


def test_a_count_that_is_no_number_is_refused_with_the_counts_of_view_counts(monkeypatch):
    monkeypatch.setattr(core.view_counts, "VIEW_COUNTS", MORE)
    with pytest.raises(argparse.ArgumentTypeError, match=r"^expected auto, 1, 2, 4, 8 or 16, got "):
        _view_count("many")


def test_a_count_outside_view_counts_is_refused_naming_them(monkeypatch):
    from core.denoise import DenoiseSettings

    monkeypatch.setattr(core.view_counts, "VIEW_COUNTS", MORE)
    assert DenoiseSettings(views=16).views == 16
    with pytest.raises(ValueError, match=r"^views must be 1, 2, 4, 8 or 16, got 3$"):
        DenoiseSettings(views=3)


def test_the_shipped_counts_read_as_before():
    assert core.view_counts.VIEW_COUNTS == (1, 2, 4, 8)
    assert core.view_counts.view_counts_text() == "1, 2, 4 or 8"


def test_the_parser_and_its_help_load_no_torch():
    code = (
        "import sys\n"
        "from core.cli import build_parser\n"
        "parser = build_parser()\n"
        "try:\n"
        "    parser.parse_args(['denoise', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules, 'core.view_counts' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False True"
