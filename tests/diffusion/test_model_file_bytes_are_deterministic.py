"""The same weights saved twice, in one process or in two, give the same file and SHA-256."""

import hashlib
import json
import struct
import subprocess
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

from core.diffusion.model import CARD_FORMAT, card_path, load_model, save_model

SAVES = 6
"""Saves compared in one process: safetensors orders its metadata anew on each call."""


def _header(path):
    data = path.read_bytes()
    (length,) = struct.unpack_from("<Q", data)
    return length, data[8 : 8 + length]


def test_saving_the_same_weights_again_gives_the_same_bytes_and_sha256(tmp_path, tiny_model):
    paths = [tmp_path / f"run{i}" / "m.safetensors" for i in range(SAVES)]
    cards = [save_model(tiny_model, path) for path in paths]
    contents = {path.read_bytes() for path in paths}
    assert len(contents) == 1
    sha = hashlib.sha256(contents.pop()).hexdigest()
    assert {card.weights_sha256 for card in cards} == {sha}


def test_a_fresh_process_saving_the_same_weights_writes_the_same_bytes(tmp_path, tiny_model):
    first, again = tmp_path / "a" / "m.safetensors", tmp_path / "b" / "m.safetensors"
    save_model(tiny_model, first)
    script = (
        "import sys; from core.diffusion.model import load_model, save_model; "
        "save_model(load_model(sys.argv[1]), sys.argv[2])"
    )
    subprocess.run([sys.executable, "-c", script, str(first), str(again)], check=True)
    assert again.read_bytes() == first.read_bytes()
    card = json.loads(card_path(again).read_text(encoding="utf-8"))
    assert card["weights_sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()


def test_the_canonical_file_loads_with_safetensors_and_the_model_loader(tmp_path, tiny_model):
    path = tmp_path / "m.safetensors"
    save_model(tiny_model, path)
    length, header = _header(path)
    assert length % 8 == 0  # the data start 8-byte aligned, as safetensors pads them
    parsed = json.loads(header)
    assert header.rstrip(b" ") == json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    expected = tiny_model.network.state_dict()
    stored = load_file(path)
    assert stored.keys() == expected.keys()
    for key, tensor in expected.items():
        assert torch.equal(stored[key], tensor)
    with safe_open(str(path), framework="pt") as f:
        assert f.metadata()["format"] == CARD_FORMAT
    loaded = load_model(path)
    for key, tensor in loaded.network.state_dict().items():
        assert torch.equal(tensor, expected[key])
