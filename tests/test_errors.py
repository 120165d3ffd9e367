import pytest

from core.errors import (
    FileError,
    ImageReadError,
    ImageWriteError,
    ModelFileError,
    error_line,
    os_error_line,
)


@pytest.mark.parametrize("kind", [ImageReadError, ImageWriteError, ModelFileError])
def test_file_errors_name_the_file_and_keep_one_printable_line(kind):
    raw = "no pixel data (1.2.840\x00\x08 UI.\n SH\r\n 0000\x85 PN \u2028 end)"
    error = kind("/data/scan.dcm", raw)
    assert isinstance(error, FileError)
    text = str(error)
    assert text.startswith("/data/scan.dcm: no pixel data (1.2.840")
    assert text.isprintable()
    assert len(text.splitlines()) == 1
    assert error.reason.endswith("end)")


def test_long_reasons_are_shortened():
    error = ImageReadError("x.dcm", "a" * 5000)
    assert len(error.reason) == FileError.max_reason
    assert error.reason.endswith("...")


def test_error_line_gives_bad_input_its_own_message():
    assert error_line(ImageReadError("x.dcm", "no pixel data")) == "x.dcm: no pixel data"
    assert error_line(ValueError("strength must be > 0,\ngot 0")) == "strength must be > 0, got 0"


def test_error_line_names_a_bug_and_where_it_was_raised():
    try:
        {}["missing"]
    except KeyError as error:
        line = error_line(error)
    assert line.startswith("unexpected KeyError at test_errors.py:")
    assert "'missing'" in line and "a bug" in line
    assert len(line.splitlines()) == 1


def test_a_file_system_error_is_its_path_and_reason(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    try:
        (blocker / "sub").mkdir(parents=True)
    except OSError as error:
        lines = error_line(error), os_error_line(error)
    assert lines == (f"{blocker / 'sub'}: Not a directory",) * 2
    renamed = OSError(18, "Invalid cross-device link", "a.tmp", None, "b.dcm")
    assert os_error_line(renamed) == "a.tmp -> b.dcm: Invalid cross-device link"
    assert os_error_line(OSError("no details")) == "no details"
