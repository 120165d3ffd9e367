"""`xray-denoise info` shows the control characters of a file's text and name as escapes.

Printed raw, they would act on the terminal: set its title, clear it, print fake lines.
"""

import json
import os
import sys

import pydicom
import pytest

from core.cli import main

pytestmark = pytest.mark.filterwarnings(
    "ignore:The value length .* exceeds the maximum length:UserWarning"  # crafted on purpose
)

ESCAPES = "\x1b]0;OWNED\x07\x1b[2J\x1b[31mFAKE"
SHOWN = "\\x1b]0;OWNED\\x07\\x1b[2J\\x1b[31mFAKE"


@pytest.fixture
def hostile(tmp_path):
    """A phantom whose Modality and window explanation hold terminal escapes."""
    path = tmp_path / "hostile.dcm"
    assert main(["phantom", str(path), "--size", "64", "--photons", "20000"]) == 0
    ds = pydicom.dcmread(path)
    ds.Modality = "CR" + ESCAPES
    ds.WindowCenter, ds.WindowWidth = [1884, 1000], [3768, 500]
    ds.WindowCenterWidthExplanation = ["A", "LUNG" + ESCAPES]
    ds.save_as(path)
    return path


def test_text_from_the_file_is_shown_escaped(hostile, capsys):
    capsys.readouterr()
    assert main(["info", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert f"modality        CR{SHOWN}\n" in out
    assert f"LUNG{SHOWN} 1000/500" in out


def test_a_file_name_is_shown_escaped_in_the_text_and_in_an_error(hostile, capsys):
    named = hostile.with_name("name\x1b[31mred.dcm")
    hostile.rename(named)
    capsys.readouterr()
    assert main(["info", str(named), str(named.with_name("gone\x1b[2J.dcm"))]) == 2
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    assert "name\\x1b[31mred.dcm\n" in out
    assert "gone\\x1b[2J.dcm" in err


@pytest.mark.skipif(sys.platform != "linux", reason="Linux file names may be any bytes")
def test_json_gives_an_undecodable_file_name_as_valid_unicode(hostile, capsys):
    named = hostile.with_name(os.fsdecode(b"M\xfcller.dcm"))
    hostile.rename(named)
    capsys.readouterr()
    assert main(["info", "--json", str(named)]) == 0
    out = capsys.readouterr().out
    out.encode("utf-8")  # no lone surrogate
    assert json.loads(out)["file"].endswith("M\\xfcller.dcm")
