"""Text quoted from files reaches a terminal with its control characters escaped."""

import os
from pathlib import Path

from core.errors import FileError, collecting_warnings, issue_warning, printable
from core.io.guards import one_line


def test_printable_escapes_what_a_terminal_would_act_on():
    assert printable("plain text, é, 日本") == "plain text, é, 日本"
    assert printable("a\x1b[2J\x07b\nc\u200e") == "a\\x1b[2J\\x07b\\x0ac\\u200e"
    assert printable(os.fsdecode(b"M\xfcller")) == "M\\xfcller"


def test_a_file_error_escapes_its_path_as_well_as_its_reason():
    error = FileError(Path("bad\x1b]0;T\x07.png"), "why\x1b[2J")
    assert str(error) == "bad\\x1b]0;T\\x07.png: why\\x1b[2J"
    assert error.path == Path("bad\x1b]0;T\x07.png")  # kept as it is, to open


def test_a_warning_escapes_the_text_it_quotes():
    with collecting_warnings() as notes:
        issue_warning("name\x1b[31m.dcm: converted")
    assert notes == ["name\\x1b[31m.dcm: converted"]


def test_one_line_leaves_out_a_quoted_traceback():
    error = ValueError(
        "could not decode\nTraceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\nKeyError: 3'
    )
    assert one_line(error) == "ValueError: could not decode"
