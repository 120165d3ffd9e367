"""``data.csv`` tables and licence texts are left out where images are: one rule.

A folder Windows marks hidden or system (a backup, a vendor's folder) was left out of the
images, but its ``data.csv`` refused the run (its image ids named no image taken) and its
licence went into the model card, as did a licence file marked hidden. Windows' file
attributes are emulated here: other systems have none.
"""

import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.training.data import describe_source, patient_tables, sort_files
from core.training.patient_table import read_patient_tables


@pytest.fixture
def mark(file_attributes):
    """Give the entries of the names passed Windows' hidden attribute, as on Windows."""
    return lambda *names: file_attributes(dict.fromkeys(names, stat.FILE_ATTRIBUTE_HIDDEN))


def _usb(tmp_path: Path) -> Path:
    root = tmp_path / "usb"
    for name in ("a.png", "b.png", "backup/old/c.png"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((16, 16), np.uint8)).save(root / name)
    for folder in (root / "backup", root / "backup" / "old"):
        (folder / "data.csv").write_text("patient_id,image_id\nP9,c\n")
        (folder / "LICENSE").write_text("Proprietary - do not redistribute\n")
    return root


def test_a_hidden_folders_tables_and_licences_are_left_out_with_its_images(tmp_path, mark):
    root = _usb(tmp_path)
    mark("backup")
    images, others = sort_files(root)
    assert (images, others) == ([root / "a.png", root / "b.png"], [])
    assert patient_tables(root) == []  # in it, and in a folder under it
    assert read_patient_tables(root, patient_tables(root), images) == {}
    assert describe_source(root) == {"no_terms": describe_source(root)["no_terms"]}


def test_a_hidden_table_or_licence_is_left_out_as_a_hidden_image_is(tmp_path, mark):
    root = _usb(tmp_path)
    (root / "backup" / "LICENSE.txt").write_text("CC BY 4.0\n")
    mark("data.csv", "LICENSE")
    assert patient_tables(root) == []
    assert describe_source(root)["sources"] == {"backup": {"license": "CC BY 4.0"}}
    assert sort_files(root)[1] == []  # LICENSE.txt is the text taken, not a stray file


def test_without_marks_the_same_tables_and_licences_are_taken(tmp_path):
    root = _usb(tmp_path)
    assert patient_tables(root) == [root / "backup" / "data.csv", root / "backup/old/data.csv"]
    assert set(describe_source(root)["sources"]) == {"backup", "backup/old"}
