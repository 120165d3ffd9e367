"""A data folder whose name is not valid UTF-8 is named in the card as valid text.

Linux hands such a name (Latin-1 ``R\\xf6ntgen``) to Python with the byte as a lone
surrogate, which no UTF-8 file may hold: the card's ``data.name`` and ``data.no_terms``
write it as ``\\xf6`` (:func:`core.io.safe_text.text_safe`), as every other file does.
"""

import json
import os
import sys
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image


@pytest.mark.skipif(sys.platform != "linux", reason="needs file names of any bytes")
def test_the_card_names_a_latin1_folder_in_valid_text(tmp_path, tiny_config):
    from core.training.loop import _prepare_data

    folder = tmp_path / os.fsdecode(b"R\xf6ntgen_latin1")
    folder.mkdir()
    rng = np.random.default_rng(3)
    for name in ("a", "b", "c"):
        Image.fromarray((rng.random((40, 40)) * 255).astype(np.uint8)).save(folder / f"{name}.png")
    card = _prepare_data(replace(tiny_config, data=folder)).card
    assert card["name"] == "R\\xf6ntgen_latin1"
    assert "found in R\\xf6ntgen_latin1:" in card["no_terms"]
    text = json.dumps(card, ensure_ascii=False)
    assert json.loads(text.encode("utf-8").decode("utf-8")) == card  # no lone surrogate
