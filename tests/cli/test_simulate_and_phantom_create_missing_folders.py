"""``simulate --output`` and ``phantom`` create missing folders, as ``denoise --output-dir``.

A file in the way is one line naming the output and the file.
"""

import pytest

from core.cli import main


@pytest.fixture
def source(tmp_path, capsys):
    path = tmp_path / "p.dcm"
    assert main(["phantom", str(path), "--size", "32", "--photons", "2000"]) == 0
    capsys.readouterr()
    return path


def test_simulate_and_phantom_write_into_new_folders(source, tmp_path, capsys):
    low = tmp_path / "new" / "x" / "low.dcm"
    assert main(["simulate", str(source), "--dose", "0.5", "--photons", "2000", "--output",
                 str(low)]) == 0  # fmt: skip
    phantom = tmp_path / "new2" / "p.dcm"
    assert main(["phantom", str(phantom), "--size", "32"]) == 0
    assert low.is_file() and phantom.is_file()


@pytest.mark.parametrize("below", ["low.dcm", "x/low.dcm"])
def test_a_file_in_the_way_of_a_folder_is_one_line(source, tmp_path, capsys, below):
    (tmp_path / "afile").write_text("")
    output = tmp_path / "afile" / below
    argv = ["simulate", str(source), "--dose", "0.5", "--photons", "2000", "--output", str(output)]
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"xray-denoise: error: {output}: {tmp_path / 'afile'} is a file, not a folder"
    )
    assert main(["phantom", str(output), "--size", "32"]) == 2
    assert capsys.readouterr().err == (
        f"xray-denoise: error: {output}: {tmp_path / 'afile'} is a file, not a folder\n"
    )
