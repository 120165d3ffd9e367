"""The About box names each site folder's licence and says when the data's terms are unknown."""

import json

from core.training.data import describe_source
from xraygui.about import about_text


def _about(tmp_path, data):
    model = tmp_path / "m.safetensors"
    card = {"weights_sha256": "ab" * 32, "data": {"n_images": 4, "n_patients": 2, **data}}
    model.with_suffix(".json").write_text(json.dumps(card))
    return about_text(model)


def test_site_folders_licences_are_named(tmp_path):
    folder = tmp_path / "data"
    (folder / "site2").mkdir(parents=True)
    (folder / "site2" / "LICENSE").write_text("CC BY 4.0\n")
    (folder / "site2" / "ATTRIBUTION.md").write_text("Images from site 2, cite X.\n")
    text = _about(tmp_path, {"name": "mine", **describe_source(folder)})
    assert "Licence of its folder site2: CC BY 4.0" in text
    assert "Attribution of its folder site2: Images from site 2, cite X." in text


def test_data_without_terms_says_so(tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    text = _about(tmp_path, {"name": "bare", **describe_source(folder)})
    assert "no licence or attribution found in bare" in text
