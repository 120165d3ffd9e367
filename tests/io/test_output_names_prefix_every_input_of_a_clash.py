"""Where inputs of different folders share a stem, every one of them gets its folders' names.

A plain name for one of them would be the name the same file gets in a batch of its own,
so that a resumed run with another set of files would map it to another input's output.
"""

from pathlib import Path

import pytest

from core.cli import main
from core.io.output_names import output_stems


def _names(*paths: str) -> dict[str, str]:
    stems = output_stems([Path(p) for p in paths], one_folder=True)
    return {str(path): stem for path, stem in stems.items()}


def test_inputs_suffixed_in_one_folder_and_their_namesake_elsewhere_all_get_their_folders():
    files = ["d1/x.png", "d2/x.png", "d1/x.dcm"]
    expected = {"d1/x.png": "d1_x_png", "d2/x.png": "d2_x", "d1/x.dcm": "d1_x_dcm"}
    assert _names(*files) == expected
    assert _names(*files[::-1]) == expected


def test_a_name_shared_through_a_suffix_links_the_folders_too():
    assert _names("d1/x.png", "d1/x.dcm", "d2/x_png.png") == {
        "d1/x.png": "d1_x_png",
        "d1/x.dcm": "d1_x_dcm",
        "d2/x_png.png": "d2_x_png",
    }


def test_inputs_that_clash_with_none_keep_their_names():
    assert _names("d1/x.png", "d1/x.dcm", "d2/x.png", "d1/y.png", "d2/z.dcm", "d3/w") == {
        "d1/x.png": "d1_x_png",
        "d1/x.dcm": "d1_x_dcm",
        "d2/x.png": "d2_x",
        "d1/y.png": "y",
        "d2/z.dcm": "z",
        "d3/w": "w",
    }
    assert _names("d1/x.png", "d1/x.dcm") == {"d1/x.png": "x_png", "d1/x.dcm": "x_dcm"}


def test_the_help_states_the_rule(capsys):
    with pytest.raises(SystemExit):
        main(["denoise", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "d1/x.png, d1/x.dcm and d2/x.png give d1_x_png, d1_x_dcm and d2_x" in text
