"""A data.csv's image_id matches a file name spelled in the other Unicode normal form.

macOS (HFS+, Finder copies) stores ``Müller_1.png`` decomposed (``u`` and a combining
diaeresis); Excel writes the same name composed (``ü``). Matched as different strings, the
images fell to patients of their own, and one patient's images on both sides of the split.
"""

import logging
import unicodedata

import numpy as np
import pytest
from PIL import Image

from core.training.data import assign_patients, find_images

NAMES = ("Müller_1", "Müller_2", "Gómez_1", "Gómez_2")


def _folder(root, *, files: str, table: str, extra_rows: str = ""):
    root.mkdir()
    for name in NAMES:
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(
            root / f"{unicodedata.normalize(files, name)}.png"
        )
    rows = "".join(f"{name.split('_')[0]},{unicodedata.normalize(table, name)}\n" for name in NAMES)
    (root / "data.csv").write_text(f"patient_id,image_id\n{rows}{extra_rows}", encoding="utf-8")
    return root


@pytest.mark.parametrize(("files", "table"), [("NFD", "NFC"), ("NFC", "NFD")])
def test_names_in_the_other_normal_form_get_the_tables_patient(tmp_path, files, table, caplog):
    folder = _folder(tmp_path / "data", files=files, table=table)
    with caplog.at_level(logging.WARNING):
        records = assign_patients(folder, find_images(folder))
    patients = {unicodedata.normalize("NFC", r.path.stem): r.patient_id for r in records}
    assert patients == {name: name.split("_")[0] for name in NAMES}
    assert "data.csv" not in caplog.text


def test_an_image_id_that_names_no_image_is_warned_of_as_the_table_spells_it(tmp_path, caplog):
    folder = _folder(tmp_path / "data", files="NFD", table="NFC", extra_rows="Öz,ÖZ_9\n")
    with caplog.at_level(logging.WARNING):
        assign_patients(folder, find_images(folder))
    assert "1 of its 5 image_id values name no image here (such as ÖZ_9)" in caplog.text
