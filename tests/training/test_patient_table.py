import numpy as np
import pytest
from PIL import Image

from core.training.data import assign_patients, find_images
from core.training.patient_table import PatientTableError

TABLES = {
    "plain": "patient_id,image_id\nP1,img001\nP1,img002\nP2,img003\n",
    "extension": "patient_id,image_id\nP1,img001.png\nP1,img002.png\nP2,sub/img003.tif\n",
    "bom": "\ufeffpatient_id,image_id\nP1,img001\nP1,img002\nP2,img003\n",
    "spaces": "patient_id, image_id\r\nP1, img001\r\nP1 ,img002\r\nP2, img003\r\n",
    "semicolon": "patient_id;image_id;sex\nP1;img001;f\nP1;img002;f\nP2;img003;m\n",
    "tab": "image_id\tpatient_id\nimg001\tP1\nimg002\tP1\nimg003\tP2\n",
    "windows": "patient_id,image_id\nP1,IMG001.PNG\nP1,img002\nP2,sub\\img003.tif\n",
}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "sub").mkdir()
    pixels = np.zeros((8, 8), np.uint8)
    for name in ("img001.png", "img002.png", "sub/img003.tif"):
        Image.fromarray(pixels).save(tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("text", TABLES.values(), ids=TABLES.keys())
def test_spreadsheet_tables_give_the_patients(folder, text, caplog):
    (folder / "data.csv").write_text(text, encoding="utf-8")
    records = assign_patients(folder, find_images(folder))
    assert [r.patient_id for r in records] == ["P1", "P1", "P2"]
    assert "data.csv" not in caplog.text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"patient_id,filename\nP1,img001.png\n", "no patient_id and image_id columns"),
        (b"patient_id,image_id\nP1,other\n", "none of its 1 image_id values names an image"),
        (b"", "no patient_id and image_id columns"),
    ],
)
def test_an_unusable_table_refuses_in_one_line(folder, content, reason):
    (folder / "data.csv").write_bytes(content)
    with pytest.raises(PatientTableError) as refused:
        assign_patients(folder, find_images(folder))
    assert str(refused.value).startswith(f"{folder / 'data.csv'}: {reason}")


def test_a_table_that_is_not_utf8_is_read_as_cp1252(folder):
    (folder / "data.csv").write_bytes(b"patient_id,image_id\nP\xe9,img001\n")
    records = assign_patients(folder, find_images(folder))
    assert records[0].patient_id == "P\xe9"


def test_image_ids_that_name_no_image_are_warned_of(folder, caplog):
    table = "patient_id,image_id\nP1,img001\nP1,img002\nP2,img003\nP3,img004\n"
    (folder / "data.csv").write_text(table, encoding="utf-8")
    with caplog.at_level("WARNING"):
        records = assign_patients(folder, find_images(folder))
    assert [r.patient_id for r in records] == ["P1", "P1", "P2"]
    assert "1 of its 4 image_id values name no image here (such as img004)" in caplog.text
