"""A model the wizard saves keeps its card's non-ASCII text as UTF-8, as save_model does."""

import json
from pathlib import Path

import pytest

from xraygui.wizard.result_page import save_model_copy
from xraygui.wizard.runs import RunSpec

pytestmark = pytest.mark.gui

TEXT = "Röntgen_東京_😀"


def _spec(tmp_path: Path, tiny_model_path: Path, name: str) -> RunSpec:
    folder = tmp_path / "run"
    folder.mkdir()
    spec = RunSpec(data=tmp_path, folder=folder, steps=4, minutes=None, batch_size=2,
                   patch_size=16, dose_range=(0.05, 0.3))  # fmt: skip
    spec.output.write_bytes(tiny_model_path.read_bytes())
    card = json.loads(tiny_model_path.with_suffix(".json").read_text())
    card["data"] = {"name": name}
    spec.output.with_suffix(".json").write_text(json.dumps(card))
    return spec


def test_the_saved_card_holds_non_ascii_text_as_utf8(tmp_path, tiny_model_path):
    spec = _spec(tmp_path, tiny_model_path, TEXT)
    raw = save_model_copy(spec, tmp_path / "models", "mine").with_suffix(".json").read_bytes()
    assert TEXT.encode("utf-8") in raw and b"\\u" not in raw
    assert json.loads(raw.decode("utf-8"))["data"]["name"] == TEXT


def test_a_lone_surrogate_of_an_older_card_is_kept_as_its_escape(tmp_path, tiny_model_path):
    spec = _spec(tmp_path, tiny_model_path, "R\udcf6ntgen")
    raw = save_model_copy(spec, tmp_path / "models", "mine").with_suffix(".json").read_bytes()
    assert b'"name": "R\\udcf6ntgen"' in raw
