"""A saved model card holds its non-ASCII text as UTF-8, not as ``\\u`` escapes.

The weights header is written so already (``ensure_ascii=False``); the card, read by
people, is too, and reads back equal. A lone surrogate that reaches it (a name the
operating system could not decode) is kept as its JSON escape, as before, and does not
fail the save.
"""

import json

from core.diffusion.model import card_path, load_model, save_model

TEXT = "Röntgen_東京_😀, Müller"


def test_non_ascii_text_is_written_as_utf8_and_reads_back(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    data = {"name": TEXT, "attribution": f"Daten: {TEXT}"}
    card = save_model(tiny_model, path, data=data)
    raw = card_path(path).read_bytes()
    assert TEXT.encode("utf-8") in raw
    assert b"\\u" not in raw
    assert load_model(path, device="cpu").card == card
    assert json.loads(raw.decode("utf-8"))["data"] == data


def test_a_lone_surrogate_is_kept_as_its_escape(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    save_model(tiny_model, path, data={"name": "R\udcf6ntgen"})
    raw = card_path(path).read_bytes()
    assert b'"name": "R\\udcf6ntgen"' in raw
    assert json.loads(raw.decode("utf-8"))["data"]["name"] == "R\udcf6ntgen"
