"""A model whose card a later release wrote is refused as newer, not as damaged.

Its card is whole; "unreadable model card ...: not a xray-denoise-model card of version 1"
read as if the file were broken. The refusal now says what it is and what to do.
"""

import json

import pytest

from core.diffusion.model import CARD_FORMAT_VERSION, card_path, load_model, save_model
from core.errors import ModelFileError


def _with_card_version(tmp_path, model, version, card_format="xray-denoise-model"):
    path = tmp_path / "m.safetensors"
    save_model(model, path)
    card = json.loads(card_path(path).read_text())
    card["format"], card["format_version"] = card_format, version
    card_path(path).write_text(json.dumps(card))
    return path


def test_a_later_card_version_says_update(tmp_path, tiny_model):
    path = _with_card_version(tmp_path, tiny_model, CARD_FORMAT_VERSION + 1)
    with pytest.raises(ModelFileError) as refused:
        load_model(path)
    assert str(refused.value) == (
        f"{path}: model card m.json made by a newer xray-denoise (format version "
        f"{CARD_FORMAT_VERSION + 1}); this version reads up to {CARD_FORMAT_VERSION}: "
        "update to open it"
    )


@pytest.mark.parametrize(
    ("version", "card_format"),
    [(0, "xray-denoise-model"), ("2", "xray-denoise-model"), (2, "another-model")],
    ids=["older", "not-an-integer", "another-format"],
)
def test_other_cards_are_still_unreadable(tmp_path, tiny_model, version, card_format):
    path = _with_card_version(tmp_path, tiny_model, version, card_format)
    with pytest.raises(ModelFileError, match="unreadable model card m.json: not a "):
        load_model(path)
