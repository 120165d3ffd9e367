"""A run refused for its data.csv writes nothing, and says why in one line.

docs/command-line.md: exit status 2 is one line on stderr, and nothing is written. Before,
a data.csv that cannot be used was found only once the run held its lock and logged: it
left MODEL.lock and MODEL.log and said a timestamped ``ERROR core.training.__main__:``
line. The tables are now read (without the images) before the lock and the log.
"""

import shutil

import pytest

from core.training.__main__ import main

pytestmark = pytest.mark.usefixtures("restore_logging")

TINY = ["--architecture", "tiny", "--batch-size", "2", "--patch-size", "16", "--device", "cpu"]
TINY += ["--val-every", "0", "--no-progress"]


def _data(image_folder, tmp_path, table: str):
    data = tmp_path / "data"
    shutil.copytree(image_folder, data)
    (data / "data.csv").write_text(table, encoding="utf-8")
    return data


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ("a,b\n1,2\n", "no patient_id and image_id columns in its first line"),
        ("patient_id,image_id\np1,nothing\n", "none of its 1 image_id values names an image"),
    ],
)
def test_an_unusable_data_table_is_one_line_and_no_file(
    image_folder, tmp_path, capsys, table, reason
):
    data = _data(image_folder, tmp_path, table)
    out = tmp_path / "run" / "m.safetensors"
    assert main([str(data), "--output", str(out), "--steps", "2", *TINY]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"python -m core.training: error: {data / 'data.csv'}: {reason}")
    assert not (tmp_path / "run").exists()  # no lock, no log, no folder


def test_the_table_s_warnings_are_said_once(image_folder, tmp_path, capsys):
    # The check before the lock reads the tables too: it must not repeat their warnings.
    rows = "".join(f"p{i},im{i}\n" for i in range(5)) + "p9,gone\n"
    data = _data(image_folder, tmp_path, "patient_id,image_id\n" + rows)
    out = tmp_path / "run" / "m.safetensors"
    assert main([str(data), "--output", str(out), "--steps", "1", *TINY]) == 0
    assert capsys.readouterr().err.count("name no image here") == 1
    assert out.with_suffix(".log").read_text().count("name no image here") == 1
