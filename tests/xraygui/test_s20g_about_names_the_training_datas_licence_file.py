"""The About box names the training data's licence file where it ships, not ``LICENSE``.

The data set's attribution says "see `LICENSE`"; the project's own LICENSE is MIT. Beside
the shipped model the data's licence is ``xray-train-LICENSE.txt``.
"""

import json
import shutil

from core.resources import default_model_path
from xraygui.about import about_text

ATTRIBUTION = "# Attribution\n\nImages from a hospital, licensed under CC BY 3.0 (see `LICENSE`)."


def _model(folder, name="xray-train"):
    folder.mkdir(exist_ok=True)
    model = folder / "m.safetensors"
    card = {
        "weights_sha256": "ab" * 32,
        "data": {"name": name, "n_images": 4, "n_patients": 2, "attribution": ATTRIBUTION},
    }
    model.with_suffix(".json").write_text(json.dumps(card))
    return model


def test_the_licence_beside_the_model_is_named_with_its_folder(tmp_path):
    model = _model(tmp_path / "models")
    licence = tmp_path / "models" / "xray-train-LICENSE.txt"
    licence.write_text("Creative Commons Legal Code\n")
    text = about_text(model)
    assert f"(see <code>{licence}</code>)" in text
    assert "<code>LICENSE</code>" not in text


def test_without_the_licence_beside_the_model_the_attribution_is_kept(tmp_path):
    text = about_text(_model(tmp_path / "models", name="mine"))
    assert "(see <code>LICENSE</code>)" in text


def test_the_shipped_model_names_xray_train_licence(tmp_path):
    shipped = default_model_path()
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(shipped.with_suffix(".json"), folder / shipped.with_suffix(".json").name)
    (folder / shipped.name).write_bytes(b"")  # the card is what the box reads
    shutil.copy(shipped.parent / "xray-train-LICENSE.txt", folder / "xray-train-LICENSE.txt")
    text = about_text(folder / shipped.name)
    assert f"(see <code>{folder / 'xray-train-LICENSE.txt'}</code>)" in text
