"""A saved wizard model's card says it was validated at doses only where it was."""

import json
from pathlib import Path

import pytest

from xraygui.wizard.result_page import save_model_copy
from xraygui.wizard.runs import RunSpec

pytestmark = pytest.mark.gui


def _spec(tmp_path: Path, tiny_model_path: Path, validation: dict) -> RunSpec:
    folder = tmp_path / "run"
    folder.mkdir()
    spec = RunSpec(data=tmp_path, folder=folder, steps=4, minutes=None, batch_size=2,
                   patch_size=16, dose_range=(0.05, 0.3))  # fmt: skip
    spec.output.write_bytes(tiny_model_path.read_bytes())
    card = json.loads(tiny_model_path.with_suffix(".json").read_text())
    card["validation"] = validation
    spec.output.with_suffix(".json").write_text(json.dumps(card))
    return spec


def test_a_model_with_no_patient_held_out_is_not_said_validated(tmp_path, tiny_model_path):
    spec = _spec(tmp_path, tiny_model_path, {"not_scored": "no patient held out"})
    saved = save_model_copy(spec, tmp_path / "models", "mine")
    noise = json.loads(saved.with_suffix(".json").read_text())["training"]["wizard_noise"]
    assert "validation_doses" not in noise
    assert "validated at" not in noise["note"] and "no validation at doses" in noise["note"]
    assert noise["dose_range"] == [0.05, 0.3]


def test_a_model_validated_at_doses_says_so(tmp_path, tiny_model_path):
    at_doses = {"step": 4, "settings": {"doses": [0.05, 0.122, 0.3]}, "scores": []}
    spec = _spec(tmp_path, tiny_model_path, {"step": 4, "scores": [], "at_doses": at_doses})
    saved = save_model_copy(spec, tmp_path / "models", "mine")
    noise = json.loads(saved.with_suffix(".json").read_text())["training"]["wizard_noise"]
    assert noise["validation_doses"] == list(spec.val_doses)
    assert "validated at validation_doses" in noise["note"]
