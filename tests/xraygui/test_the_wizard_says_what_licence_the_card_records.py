"""The Data page says whether a licence or attribution file was found, the Result page
which the model card records, or that it records none and which file to add.

Only a log line said so: a model trained on a folder without terms was saved unwarned.
"""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from core.diffusion import card_path
from core.noise import phantom_image
from core.training.data import NO_TERMS
from xraygui.wizard.common import TERMS_FILES
from xraygui.wizard.data_page import DataPage
from xraygui.wizard.result_page import ResultPage
from xraygui.wizard.runs import RunSpec, write_run

pytestmark = pytest.mark.gui


def _scanned(qtbot, folder):
    for i in range(2):
        stored = phantom_image((128, 128), bits_stored=8, photons_per_pixel=3000.0, seed=i)
        Image.fromarray(stored.astype(np.uint8)).save(folder / f"img{i}.png")
    page = DataPage([])
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.scanned, timeout=20_000):
        page.set_folder(folder)
    return page.summary.text()


def test_the_data_page_says_no_terms_were_found_and_what_to_add(qtbot, tmp_path):
    text = _scanned(qtbot, tmp_path)
    assert "No licence or attribution file found" in text
    assert NO_TERMS in text and TERMS_FILES in text


def test_the_data_page_names_the_licence_found(qtbot, tmp_path):
    (tmp_path / "LICENSE").write_text("CC BY 4.0 <data>\n\nCopyright the clinic\n")
    text = _scanned(qtbot, tmp_path)
    assert "The model card will record the data's licence" in text
    assert "CC BY 4.0 &lt;data&gt;" in text and "No licence" not in text


def _finished(tmp_path, model_path, data):
    folder = tmp_path / "runs" / "20260101-093000"
    folder.mkdir(parents=True)
    spec = RunSpec(data=tmp_path / "data", folder=folder, steps=4, minutes=None,
                   batch_size=2, patch_size=16)  # fmt: skip
    shutil.copy(model_path, spec.output)
    card = json.loads(card_path(model_path).read_text())
    card["training"] = {"steps_done": 4, "elapsed_s": 1.0, "settings": {"time_budget_s": None}}
    card["data"] = data
    card_path(spec.output).write_text(json.dumps(card))
    write_run(spec, "finished")
    return spec


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"no_terms": "none found"}, "No licence or attribution file found"),
        ({"license": "MIT", "attribution": "Data: the clinic"}, "licence \u201cMIT\u201d"),
    ],
)
def test_the_result_page_says_what_the_card_records(qtbot, tmp_path, tiny_model_path, data, said):
    page = ResultPage(tmp_path / "models")
    qtbot.addWidget(page)
    page.show_run(_finished(tmp_path, tiny_model_path, data))
    assert said in page.terms.text()
    if "no_terms" in data:
        assert TERMS_FILES in page.terms.text() and "train again" in page.terms.text()
    else:
        assert "attribution \u201cData: the clinic\u201d" in page.terms.text()
